using System.Runtime.CompilerServices;
using Chartseal.Keys;

namespace Chartseal.Provenance;

/// <summary>Who signed a document.</summary>
/// <param name="Fingerprint">Fingerprint of the signer's primary key (40 upper-case hex), as Helm prints it.</param>
/// <param name="KeyId">Key id of the (sub)key that made the signature (16 upper-case hex).</param>
/// <param name="SigningKeyFingerprint">Fingerprint of the (sub)key that made the signature.</param>
/// <param name="UserIds">The primary key's user ids.</param>
public sealed record SignerInfo(string Fingerprint, string KeyId, string SigningKeyFingerprint, IReadOnlyList<string> UserIds)
{
    // Everything here depends only on the key and its certificate, which do not change: worked out once per keyring entry
    // (a repository audit asks for the same few signers thousands of times).
    private static readonly ConditionalWeakTable<KeyMatch, SignerInfo> Cache = new();

    /// <summary>The signer a key of a keyring stands for: its primary fingerprint, key id, fingerprint and verified user ids.</summary>
    internal static SignerInfo Of(KeyMatch match) =>
        Cache.GetValue(match, static m => new SignerInfo(
            KeyInfo.Fingerprint(m.Ring.GetPublicKey()), KeyInfo.KeyId(m.Key), KeyInfo.Fingerprint(m.Key), Array.AsReadOnly(KeyInfo.UserIds(m.Ring).ToArray())));
}
