using System.Runtime.CompilerServices;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Keys;

/// <summary>A verified self-signature (user id certification 0x10-0x13, or direct-key 0x1F).</summary>
internal sealed record SelfSignature(DateTime Created, int? KeyFlags, long ExpirySeconds, string? UserId, bool IsPrimaryUserId);

/// <summary>A verified subkey binding signature (0x18).</summary>
internal sealed record SubkeyBinding(DateTime Created, int? KeyFlags, long ExpirySeconds, bool HasBackSignature);

/// <summary>
/// The time-independent facts about a primary key: which of its self-signatures and revocations
/// really verify. Checking signatures is the expensive part of key validity, so it is done once per
/// key object and cached; <see cref="KeyValidity"/> then only compares dates.
/// </summary>
internal sealed class PrimaryAnalysis
{
    // Lazy: under a race ConditionalWeakTable may run a factory twice, and verifying means mutating
    // BouncyCastle's PgpSignature objects, which must not happen on two threads at once.
    private static readonly ConditionalWeakTable<PgpPublicKey, Lazy<PrimaryAnalysis>> Cache = new();

    private readonly List<SelfSignature> _selfSignatures = [];
    private readonly List<RevocationInfo> _revocations = [];
    private readonly List<(string UserId, DateTime Created)> _userIdRevocations = []; // verified 0x30

    private PrimaryAnalysis(PgpPublicKey primary)
    {
        Primary = primary;
        MaterialError = KeyMaterial.Validate(primary);
        if (MaterialError is null)
        {
            OpenPgpPerformance.RunWithoutRepeatedKeyValidation(Verify);
        }
    }

    public PgpPublicKey Primary { get; }

    public string? MaterialError { get; }

    /// <summary>Verified self-signatures, oldest first.</summary>
    public IReadOnlyList<SelfSignature> SelfSignatures => _selfSignatures;

    /// <summary>Verified key revocations (0x20).</summary>
    public IReadOnlyList<RevocationInfo> Revocations => _revocations;


    public static PrimaryAnalysis Of(PgpPublicKey primary) =>
        Cache.GetValue(primary, static k => new Lazy<PrimaryAnalysis>(() => new PrimaryAnalysis(k))).Value;

    /// <summary>The newest self-signature made at or before <paramref name="now"/>.</summary>
    public SelfSignature? LatestSelfSignature(DateTime now) => SelfSignatures.LastOrDefault(s => s.Created <= now);

    /// <summary>User ids with a verified self-certification that no later verified revocation cancels, in key order.</summary>
    public IEnumerable<string> ValidUserIds()
    {
        foreach (string uid in Utf8UserIds(Primary).Select(u => u.UserId))
        {
            DateTime? certified = SelfSignatures.LastOrDefault(s => s.UserId == uid)?.Created;
            bool revoked = _userIdRevocations.Any(r => r.UserId == uid && r.Created >= certified);
            if (certified is not null && !revoked)
            {
                yield return uid;
            }
        }
    }

    /// <summary>
    /// The user ids as raw packets and as text, distinct, in key order. BouncyCastle's <c>GetUserIds()</c> decodes the
    /// packets as Latin-1 while <c>GetSignaturesForId(string)</c> and <c>VerifyCertification(string, …)</c> encode
    /// UTF-8, so any non-ASCII user id ("José") was not found (a null list, hence a crash) and printed garbled. User ids
    /// are UTF-8 (RFC 4880 §5.11); one that is not cannot be checked through BouncyCastle's string API and is left out.
    /// </summary>
    internal static IEnumerable<(byte[] Raw, string UserId)> Utf8UserIds(PgpPublicKey key)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (byte[] raw in key.GetRawUserIds())
        {
            string uid;
            try
            {
                uid = StrictUtf8.GetString(raw);
            }
            catch (DecoderFallbackException)
            {
                continue;
            }
            if (seen.Add(uid))
            {
                yield return (raw, uid);
            }
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private void Verify()
    {
        foreach (var (raw, uid) in Utf8UserIds(Primary))
        {
            foreach (PgpSignature sig in Primary.GetSignaturesForId(raw) ?? [])
            {
                if (!IsSelfIssued(sig, Primary))
                {
                    continue; // third-party certifications say nothing about validity
                }
                if (sig.SignatureType is >= PgpSignature.DefaultCertification and <= PgpSignature.PositiveCertification
                    && Verifies(() => SignatureMath.VerifyCertification(sig, Primary, Primary, uid)))
                {
                    _selfSignatures.Add(ToSelfSignature(sig, uid));
                }
                else if (sig.SignatureType == PgpSignature.CertificationRevocation
                    && Verifies(() => SignatureMath.VerifyCertification(sig, Primary, Primary, uid)))
                {
                    _userIdRevocations.Add((uid, sig.CreationTime));
                }
            }
        }
        foreach (PgpSignature sig in Primary.GetSignaturesOfType(PgpSignature.DirectKey))
        {
            if (IsSelfIssued(sig, Primary) && Verifies(() => SignatureMath.VerifyCertification(sig, Primary, Primary, (PgpPublicKey?)null)))
            {
                _selfSignatures.Add(ToSelfSignature(sig, null));
            }
        }
        foreach (PgpSignature sig in Primary.GetSignaturesOfType(PgpSignature.KeyRevocation))
        {
            // Revocations by designated revokers would need the revoker's key; we only honour self-revocations.
            if (IsSelfIssued(sig, Primary) && Verifies(() => SignatureMath.VerifyCertification(sig, Primary, Primary, (PgpPublicKey?)null)))
            {
                _revocations.Add(ToRevocation(sig));
            }
        }
        _selfSignatures.Sort((a, b) => a.Created.CompareTo(b.Created));
    }

    private static SelfSignature ToSelfSignature(PgpSignature sig, string? uid)
    {
        PgpSignatureSubpacketVector hashed = sig.GetHashedSubPackets();
        return new SelfSignature(sig.CreationTime, KeyFlagsOf(hashed), hashed.GetKeyExpirationTime(), uid, hashed.IsPrimaryUserId());
    }

    // Only hashed subpackets count: anyone can edit the unhashed area.
    internal static int? KeyFlagsOf(PgpSignatureSubpacketVector hashed) =>
        hashed.HasSubpacket(SignatureSubpacketTag.KeyFlags) ? hashed.GetKeyFlags() : null;

    internal static RevocationInfo ToRevocation(PgpSignature sig)
    {
        RevocationReason? reason = sig.GetHashedSubPackets().GetRevocationReason();
        return new RevocationInfo(
            sig.CreationTime,
            reason?.GetRevocationReason() ?? RevocationReasonTag.NoReason,
            reason?.GetRevocationDescription() ?? "");
    }

    // A v4 signature names its issuer by key id (or fingerprint only, then KeyId is 0); skip the
    // ones plainly made by someone else rather than paying for a verification that must fail.
    internal static bool IsSelfIssued(PgpSignature sig, PgpPublicKey primary) => sig.KeyId == 0 || sig.KeyId == primary.KeyId;

    /// <summary>Runs a signature check (<see cref="SignatureMath"/>); malformed or unsupported signatures count as not verifying.</summary>
    internal static bool Verifies(Func<bool> verify)
    {
        try
        {
            return verify();
        }
        catch (Exception e) when (BcFailures.IsExpected(e))
        {
            return false;
        }
    }
}

/// <summary>The verified binding and revocation signatures of one subkey (see <see cref="PrimaryAnalysis"/>).</summary>
internal sealed class SubkeyAnalysis
{
    private static readonly ConditionalWeakTable<PgpPublicKey, Lazy<SubkeyAnalysis>> Cache = new();

    private readonly List<SubkeyBinding> _bindings = [];
    private readonly List<RevocationInfo> _revocations = [];

    private SubkeyAnalysis(PgpPublicKey subkey, PgpPublicKey primary)
    {
        Primary = primary;
        MaterialError = KeyMaterial.Validate(subkey);
        if (MaterialError is null && KeyMaterial.Validate(primary) is null)
        {
            OpenPgpPerformance.RunWithoutRepeatedKeyValidation(() => Verify(subkey, primary));
        }
    }

    public PgpPublicKey Primary { get; }

    public string? MaterialError { get; }

    /// <summary>Verified bindings, oldest first.</summary>
    public IReadOnlyList<SubkeyBinding> Bindings => _bindings;

    /// <summary>Verified subkey revocations (0x28).</summary>
    public IReadOnlyList<RevocationInfo> Revocations => _revocations;


    public static SubkeyAnalysis Of(PgpPublicKey subkey, PgpPublicKey primary)
    {
        SubkeyAnalysis analysis = Cache.GetValue(subkey, k => new Lazy<SubkeyAnalysis>(() => new SubkeyAnalysis(k, primary))).Value;
        // The same subkey object checked against another primary (a caller mixing rings): do not
        // reuse the cached answer, which is about a different certificate.
        return ReferenceEquals(analysis.Primary, primary) ? analysis : new SubkeyAnalysis(subkey, primary);
    }

    /// <summary>The newest binding made at or before <paramref name="now"/>.</summary>
    public SubkeyBinding? LatestBinding(DateTime now) => Bindings.LastOrDefault(b => b.Created <= now);

    private void Verify(PgpPublicKey subkey, PgpPublicKey primary)
    {
        foreach (PgpSignature sig in subkey.GetSignatures())
        {
            if (!PrimaryAnalysis.IsSelfIssued(sig, primary))
            {
                continue;
            }
            if (sig.SignatureType == PgpSignature.SubkeyBinding
                && PrimaryAnalysis.Verifies(() => SignatureMath.VerifyCertification(sig, primary, primary, subkey)))
            {
                PgpSignatureSubpacketVector hashed = sig.GetHashedSubPackets();
                _bindings.Add(new SubkeyBinding(
                    sig.CreationTime,
                    PrimaryAnalysis.KeyFlagsOf(hashed),
                    hashed.GetKeyExpirationTime(),
                    HasBackSignature(sig, subkey, primary)));
            }
            else if (sig.SignatureType == PgpSignature.SubkeyRevocation
                && PrimaryAnalysis.Verifies(() => SignatureMath.VerifyCertification(sig, primary, primary, subkey)))
            {
                _revocations.Add(PrimaryAnalysis.ToRevocation(sig));
            }
        }
        _bindings.Sort((a, b) => a.Created.CompareTo(b.Created));
    }

    /// <summary>
    /// Whether the binding embeds a primary key binding signature (0x19) made by the subkey. Without
    /// it, anyone could bind someone else's signing key to their certificate and claim its signatures.
    /// The embedded signature is self-authenticating, so it may sit in either subpacket area.
    /// </summary>
    private static bool HasBackSignature(PgpSignature binding, PgpPublicKey subkey, PgpPublicKey primary)
    {
        foreach (PgpSignatureSubpacketVector? area in new[] { binding.GetHashedSubPackets(), binding.GetUnhashedSubPackets() })
        {
            PgpSignatureList? embedded;
            try
            {
                embedded = area?.GetEmbeddedSignatures();
            }
            catch (Exception e) when (BcFailures.IsExpected(e))
            {
                continue;
            }
            for (int i = 0; i < (embedded?.Count ?? 0); i++)
            {
                PgpSignature back = embedded![i];
                if (back.SignatureType == PgpSignature.PrimaryKeyBinding
                    && PrimaryAnalysis.Verifies(() => SignatureMath.VerifyCertification(back, subkey, primary, subkey)))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
