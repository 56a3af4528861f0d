using Chartseal.Keys;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Keys;

public sealed class GpgAgentSignerTests
{
    private const string Body = "apiVersion: v2\nname: demo\nversion: 1.0.0\n\n...\nfiles:\n  demo-1.0.0.tgz: sha256:00\n";

    [Fact]
    public async Task ClearSignAsync_KeyInAgent_ReturnsClearSignedTextGpgVerifies()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Agent <agent@example.com>", "ed25519");
        var signer = new GpgAgentSigner(gpg.Path);

        string signed = await signer.ClearSignAsync(Body, "agent@example.com", TestContext.Current.CancellationToken);

        Assert.StartsWith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + Body, signed, StringComparison.Ordinal);
        File.WriteAllText(gpg.File("demo.prov"), signed);
        GpgResult verified = gpg.Run("--verify", gpg.File("demo.prov"));
        Assert.True(verified.ExitCode == 0, verified.StdErr);
        Assert.Contains(fingerprint, verified.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClearSignAsync_ProtectedKeyWithPassphrase_SignsInLoopbackMode()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        gpg.GenerateKey("Locked <locked@example.com>", "ed25519", passphrase: "s3cret wörds");
        gpg.KillAgent(); // forget the cached passphrase, so the loopback one is really used
        var signer = new GpgAgentSigner(gpg.Path, passphrase: "s3cret wörds");

        string signed = await signer.ClearSignAsync(Body, "locked@example.com", TestContext.Current.CancellationToken);

        Assert.Contains(Body, signed, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN PGP SIGNATURE-----", signed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClearSignAsync_WrongPassphrase_ThrowsWithGpgReason()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        gpg.GenerateKey("Locked <locked@example.com>", "ed25519", passphrase: "right");
        gpg.KillAgent();
        var signer = new GpgAgentSigner(gpg.Path, passphrase: "wrong");

        var error = await Assert.ThrowsAsync<ChartsealException>(() => signer.ClearSignAsync(Body, "locked@example.com", TestContext.Current.CancellationToken));

        Assert.StartsWith("gpg sign with key \"locked@example.com\" failed: ", error.Reason, StringComparison.Ordinal);
        Assert.Contains("passphrase", error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ClearSignAsync_UnknownKey_ThrowsWithGpgReason()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        var signer = new GpgAgentSigner(gpg.Path);

        var error = await Assert.ThrowsAsync<ChartsealException>(() => signer.ClearSignAsync(Body, "nobody@example.com", TestContext.Current.CancellationToken));

        Assert.StartsWith("gpg sign with key \"nobody@example.com\" failed: ", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClearSignAsync_GpgMissing_ThrowsNotFoundOnPath()
    {
        var signer = new GpgAgentSigner(program: "/nonexistent/gpg");

        var error = await Assert.ThrowsAsync<ChartsealException>(() => signer.ClearSignAsync(Body, "x", TestContext.Current.CancellationToken));

        Assert.Contains("not found on PATH", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportPublicAsync_KeyInGpg_ReturnsKeyringWithItsFingerprint()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();
        string fingerprint = gpg.GenerateKey("Agent <agent@example.com>", "ed25519");

        Keyring ring = await new GpgAgentSigner(gpg.Path).ExportPublicAsync("agent@example.com", TestContext.Current.CancellationToken);

        Assert.True(ring.ContainsPrimary(fingerprint));
    }

    [Fact]
    public async Task ExportPublicAsync_UnknownKey_Throws()
    {
        Assert.SkipUnless(GpgHome.IsAvailable, "gpg is not installed");
        using var gpg = new GpgHome();

        var error = await Assert.ThrowsAsync<ChartsealException>(() => new GpgAgentSigner(gpg.Path).ExportPublicAsync("nobody", TestContext.Current.CancellationToken));

        Assert.Equal("gpg has no public key \"nobody\"", error.Reason);
    }

    [Theory]
    [InlineData("gpg: skipped \"x\": No secret key\ngpg: signing failed: No secret key\n", "skipped \"x\": No secret key")]
    [InlineData("gpg: WARNING: unsafe permissions on homedir '/x'\ngpg: signing failed: Bad passphrase\n", "signing failed: Bad passphrase")]
    [InlineData("", null)]
    public void FirstMeaningfulLine_GpgStderr_SkipsNoise(string stderr, string? expected)
    {
        Assert.Equal(expected, GpgAgentSigner.FirstMeaningfulLine(stderr));
    }
}
