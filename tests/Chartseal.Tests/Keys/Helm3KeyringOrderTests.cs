using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Provenance;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Chartseal.Tests.Keys;

/// <summary>
/// <see cref="Helm3KeyringOrder"/> against the real Helm 3 (Go's x/crypto keyring reader) with keys gpg makes:
/// the rule "x/crypto parses the primary key packet" must be exactly what decides whether Helm 3 loses the
/// certificate before it.
/// </summary>
public sealed class Helm3KeyringOrderTests
{
    [Fact]
    public void Order_GpgKeysOnCurvesXCryptoCannotRead_Helm3KeepsEveryReadableSigner()
    {
        Assert.True(GpgHome.IsAvailable, "gpg is not installed (the OpenPGP interop tests need it)");
        using var gpg = new GpgHome();
        using var temp = new TempDirectory();
        var rsa = KeyGenerator.Generate("Rsa <rsa@example.com>", KeyAlgorithm.Rsa3072, null, null, DateTime.UtcNow.AddMinutes(-10));
        string nist = gpg.GenerateKey("Nist <nist@example.com>", "nistp256");
        string brainpool = gpg.GenerateKey("Brainpool <brainpool@example.com>", "brainpoolP256r1");
        string ed = gpg.GenerateKey("Ed <ed@example.com>", "ed25519");
        PgpPublicKeyRing Cert(byte[] bytes) => Keyring.Parse(bytes, "cert").PublicKeyRings.Single();
        PgpPublicKeyRing rsaCert = Cert(System.Text.Encoding.ASCII.GetBytes(rsa.PublicKeyArmored));
        PgpPublicKeyRing nistCert = Cert(gpg.ExportPublic(nist));
        PgpPublicKeyRing brainpoolCert = Cert(gpg.ExportPublic(brainpool));
        PgpPublicKeyRing edCert = Cert(gpg.ExportPublic(ed));

        Assert.True(Helm3KeyringOrder.PrimaryParsesInXCrypto(rsaCert.GetPublicKey()));
        Assert.True(Helm3KeyringOrder.PrimaryParsesInXCrypto(nistCert.GetPublicKey()));
        Assert.False(Helm3KeyringOrder.PrimaryParsesInXCrypto(brainpoolCert.GetPublicKey()));
        Assert.False(Helm3KeyringOrder.PrimaryParsesInXCrypto(edCert.GetPublicKey()));

        // Each readable certificate is followed by one whose primary key x/crypto cannot parse.
        PgpPublicKeyRing[] written = [rsaCert, brainpoolCert, nistCert, edCert];
        var ordered = Helm3KeyringOrder.Order(written);
        Assert.Equal([brainpoolCert, edCert, rsaCert, nistCert], ordered);
        File.WriteAllBytes(temp.File("as-given.pgp"), Keyring.Concat(written));
        File.WriteAllBytes(temp.File("ordered.pgp"), Keyring.Concat(ordered));

        var signers = new[]
        {
            ("rsa", Keyring.Parse(System.Text.Encoding.ASCII.GetBytes(rsa.SecretKeyArmored), "rsa.sec"), rsa.Fingerprint),
            ("nist", Keyring.Parse(gpg.ExportSecret(nist), "nist.sec"), nist),
        };
        DateTime now = DateTime.UtcNow; // after gpg made its keys
        foreach (var (name, secret, fingerprint) in signers)
        {
            var packaged = ChartPackager.Package(ChartFixtures.WriteSimpleChart(temp.File("src-" + name), name, "1.0.0"));
            string archive = temp.File(packaged.FileName);
            File.WriteAllBytes(archive, packaged.Archive);
            var key = SigningKeySelector.Select(secret, fingerprint, now);
            File.WriteAllBytes(archive + ".prov", ChartSigning.Sign(packaged.Archive, packaged.FileName, key, key.Unlock(null), now));

            var before = HelmPeer.V3.Run(temp.Path, "verify", archive, "--keyring", temp.File("as-given.pgp"));
            Assert.True(before.ExitCode != 0, $"helm 3 should lose {name}, followed by an unreadable primary key: {before}");
            var after = HelmPeer.V3.Run(temp.Path, "verify", archive, "--keyring", temp.File("ordered.pgp"));
            Assert.True(after.ExitCode == 0, $"helm 3 verify, signer {name}: {after}");
            Assert.Contains("Using Key With Fingerprint: " + fingerprint, after.StdOut, StringComparison.Ordinal);
        }
    }
}
