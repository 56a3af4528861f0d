using Chartseal.Keys;
using Chartseal.OpenPgp;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// The one trust-on-first-use rule, for <c>repo add --trust-on-first-use</c> and for a server started without
/// <c>--root-fingerprint</c>: the root to pin is the one the repository's own manifest names. It is read WITHOUT
/// verifying anything (there is nothing yet to verify it with); the caller pins it, says so, and then loads the trust
/// material against that pin like any other, so a manifest that its named root did not sign is still refused.
/// </summary>
public static class TrustOnFirstUse
{
    /// <summary>The root the repository's manifest names, with its user id from <c>root.pgp</c> when present.</summary>
    /// <exception cref="ChartsealException">No manifest, one that is not a trust manifest, or a failed read.</exception>
    public static async Task<ClaimedRoot> ClaimAsync(RepositorySource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        string where = source.AddressOf(TrustFiles.ManifestName);
        byte[] manifest = await source.ReadFileAsync(TrustFiles.ManifestName, TrustFiles.MaxFileSize, cancellationToken).ConfigureAwait(false)
            ?? throw new ChartsealException(where, source is FolderRepositorySource
                // A folder is the repository itself (a server's, a CI checkout's): neither a plain Helm repository's URL nor a typo.
                ? "not found: the repository has no root-signed trust material yet (create it with chartseal trust init)"
                : $"not found: {TrustFiles.NoManifestExplanation}");
        if (ClearSignedMessage.TryParse(manifest, out string error) is not { } message
            || TrustManifest.TryParse(message.Plaintext, out error) is not { } body)
        {
            throw new ChartsealException(where, "not a trust manifest: " + error);
        }
        string? userId = null;
        if (await source.ReadFileAsync(TrustFiles.RootKeysName, TrustFiles.MaxFileSize, cancellationToken).ConfigureAwait(false) is { } rootKeys)
        {
            try
            {
                var ring = Keyring.Parse(rootKeys, TrustFiles.RootKeysName).PublicKeyRings.FirstOrDefault(r => KeyInfo.Fingerprint(r.GetPublicKey()) == body.Root);
                userId = ring is null ? null : KeyInfo.PrimaryUserId(ring);
            }
            catch (ChartsealException)
            {
                // Only a display nicety: the fingerprint is what gets pinned.
            }
        }
        return new ClaimedRoot(body.Root, userId);
    }
}
