#pragma warning disable xUnit1051 // the library calls take no test cancellation here
using System.Text.Json;
using Chartseal.Gate;
using Chartseal.Tests.Trust;

namespace Chartseal.Tests.Gate;

/// <summary>The gate's precedence, its two kinds of trust, and its one JSON shape.</summary>
public sealed class TrustGateTests
{
    private static readonly DateTime Now = TrustFixture.At(2);

    private static async Task<(TrustFixture F, Chartseal.Trust.TrustedMaterial Material)> RepositoryAsync()
    {
        var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        return (f, await f.MaterialAsync(Now));
    }

    [Fact]
    public async Task A_missing_archive_is_missing_archive_even_from_a_null_array()
    {
        var (f, material) = await RepositoryAsync();
        using var _ = f;
        byte[]? archive = null; // a null byte[] converts to an EMPTY memory; the gate must not judge an empty archive

        var verdict = TrustGate.Judge(f.ArchiveName, archive, f.Alice.Sign(f.Archive, f.ArchiveName, Now), new TrustBasis.Repository(material), GateExpectations.None, Now);

        Assert.Equal(RejectionReason.MissingArchive, Assert.IsType<Verdict.Refused>(verdict).Refusal.Reason);
    }

    [Fact]
    public async Task What_is_signed_is_judged_before_what_is_claimed()
    {
        var (f, material) = await RepositoryAsync();
        using var _ = f;
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Now);
        byte[] tampered = [.. f.Archive[..^4], 0, 0, 0, 0];
        var claims = new GateExpectations("other", "9.9.9", CanonicalFileName: true, Digest: new string('0', 64));

        // A tampered archive with a wrong index entry: the signature's verdict (hash-mismatch) comes first.
        var verdict = TrustGate.Judge(f.ArchiveName, tampered, prov, new TrustBasis.Repository(material), claims, Now);
        Assert.Equal(RejectionReason.HashMismatch, Assert.IsType<Verdict.Refused>(verdict).Refusal.Reason);

        // A good archive: the claims, in order: name and version, then the digest.
        var named = TrustGate.Judge(f.ArchiveName, f.Archive, prov, new TrustBasis.Repository(material), claims, Now);
        Assert.Equal(RejectionReason.NameVersionMismatch, Assert.IsType<Verdict.Refused>(named).Refusal.Reason);
        var digest = TrustGate.Judge(f.ArchiveName, f.Archive, prov, new TrustBasis.Repository(material), claims with { Name = null, Version = null }, Now);
        Assert.Equal(RejectionReason.DigestMismatch, Assert.IsType<Verdict.Refused>(digest).Refusal.Reason);
    }

    [Fact]
    public async Task A_revoked_signer_wins_over_every_claim()
    {
        var (f, material) = await RepositoryAsync();
        using var _ = f;
        byte[] prov = f.Alice.Sign(f.Archive, f.ArchiveName, Now);
        await Chartseal.Repository.TrustRepository.RevokeAsync(f.Repo, f.Root.RootSigner(Now), f.Alice.Fingerprint, null, null, TrustFixture.Validity, Now);
        var revoked = await f.MaterialAsync(Now);

        var verdict = TrustGate.Judge(f.ArchiveName, f.Archive, prov, new TrustBasis.Repository(revoked), new GateExpectations(Digest: new string('0', 64)), Now);

        Assert.Equal(RejectionReason.SignerRevoked, Assert.IsType<Verdict.Refused>(verdict).Refusal.Reason);
    }

    [Fact]
    public async Task A_version_outside_the_signed_index_is_never_trusted_but_its_signature_speaks_first()
    {
        var (f, material) = await RepositoryAsync();
        using var _ = f;
        var outside = new GateExpectations("other", "9.9.9", CanonicalFileName: true, Digest: new string('0', 64), Unlisted: "hello:0.1.0 is not in the signed index snapshot");

        // A trusted chart: not-in-index, before every other claim.
        var trusted = TrustGate.Judge(f.ArchiveName, f.Archive, f.Alice.Sign(f.Archive, f.ArchiveName, Now), new TrustBasis.Repository(material), outside, Now);
        var refused = Assert.IsType<Verdict.Refused>(trusted);
        Assert.Equal(new Refusal(RejectionReason.NotInIndex, "hello:0.1.0 is not in the signed index snapshot"), refused.Refusal);
        Assert.NotNull(refused.Evidence?.Signer); // the audit row still says who signed it

        // A rogue one: what its signature says (a key the repository does not trust; none), as at every other door.
        var carol = new TestKey("Carol <carol@example.com>", TrustFixture.T0);
        var rogue = TrustGate.Judge(f.ArchiveName, f.Archive, carol.Sign(f.Archive, f.ArchiveName, Now), new TrustBasis.Repository(material), outside, Now);
        Assert.Equal(RejectionReason.SignerNotTrusted, Assert.IsType<Verdict.Refused>(rogue).Refusal.Reason);
        Assert.Equal(RejectionReason.MissingProvenance, Assert.IsType<Verdict.Refused>(TrustGate.Judge(f.ArchiveName, f.Archive, null, new TrustBasis.Repository(material), outside, Now)).Refusal.Reason);
    }

    [Fact]
    public async Task Signature_only_trusts_any_key_of_the_keyring_and_says_so()
    {
        var (f, _) = await RepositoryAsync();
        using var __ = f;
        byte[] prov = f.Bob.Sign(f.Archive, f.ArchiveName, Now);

        var verdict = TrustGate.Judge(f.ArchiveName, f.Archive, prov, new TrustBasis.SignatureOnly(f.Bob.Public), GateExpectations.None, Now);

        var trusted = Assert.IsType<Verdict.Trusted>(verdict);
        Assert.Equal(TrustKind.SignatureOnly, trusted.Kind);
        Assert.Null(trusted.Material);
        using var doc = JsonDocument.Parse(Json(verdict));
        Assert.True(doc.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("signature-only", doc.RootElement.GetProperty("trust").GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("trust").GetProperty("version").ValueKind);
    }

    [Fact]
    public async Task The_json_has_every_field_whatever_the_result()
    {
        var (f, material) = await RepositoryAsync();
        using var _ = f;
        var trusted = TrustGate.Judge(f.ArchiveName, f.Archive, f.Alice.Sign(f.Archive, f.ArchiveName, Now), new TrustBasis.Repository(material), GateExpectations.None, Now);
        var refused = TrustGate.Judge(f.ArchiveName, f.Archive, null, new TrustBasis.Repository(material), GateExpectations.None, Now);
        var trustRefused = Verdict.TrustRefused(f.ArchiveName, TrustKind.Repository, new Refusal(RejectionReason.TrustExpired, "expired"));

        string[] Fields(Verdict v)
        {
            using var doc = JsonDocument.Parse(Json(v));
            return doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        }
        string[] expected = ["schema", "valid", "trust", "reason", "code", "message", "file", "sha256", "chart", "signer", "signedAt", "notes", "rebuild"];
        Assert.Equal(expected, Fields(trusted));
        Assert.Equal(expected, Fields(refused));
        Assert.Equal(expected, Fields(trustRefused));
        using var refusedDoc = JsonDocument.Parse(Json(refused));
        Assert.Equal("CSL1011", refusedDoc.RootElement.GetProperty("code").GetString());
        Assert.Equal("repository", refusedDoc.RootElement.GetProperty("trust").GetProperty("kind").GetString());
    }

    private static string Json(Verdict verdict)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            VerdictJson.Write(json, verdict);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
