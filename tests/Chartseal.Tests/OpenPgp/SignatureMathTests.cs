using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Chartseal.Tests.Keys;

namespace Chartseal.Tests.OpenPgp;

/// <summary>Every engine of the signature maths (libsodium, OpenSSL, managed integers) must agree with BouncyCastle on every verdict.</summary>
public class SignatureMathTests
{
    public static TheoryData<string> Engines => new(Enum.GetNames<SignatureMath.Engine>());

    private static readonly SecureRandom Random = new();

    private static (PgpSignature Sig, PgpPublicKey Key, byte[] Text) HelmVector()
    {
        var message = ClearSignedMessage.TryParse(File.ReadAllBytes(TestPaths.Helm("hashtest-1.2.3.tgz.prov")), out _)!;
        using var armor = new ArmoredInputStream(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(message.ArmoredSignature)));
        var sig = ((PgpSignatureList)new PgpObjectFactory(armor).NextPgpObject())[0];
        var key = Keyring.Load(TestPaths.Helm("helm-test-key.pub")).Find(sig.KeyId, null)!.Key;
        return (sig, key, message.SignedText);
    }

    [Fact]
    public void Verify_HelmRsaSignature_AgreesWithBouncyCastle()
    {
        var (sig, key, text) = HelmVector();

        Assert.True(SignatureMath.Verify(sig, key, text));
        sig.InitVerify(key);
        sig.Update(text);
        Assert.True(sig.Verify());
    }

    [Fact]
    public void Verify_OneByteOfTextChanged_False()
    {
        var (sig, key, text) = HelmVector();
        text[^1] ^= 1;

        Assert.False(SignatureMath.Verify(sig, key, text));
    }

    [Fact]
    public void Verify_OtherRsaKey_False()
    {
        var (sig, _, text) = HelmVector();
        var other = Keyring.Load(TestPaths.Helm("helm-password-key.secret")).PublicKeyRings[0].GetPublicKey();

        Assert.False(SignatureMath.Verify(sig, other, text));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Verify_HelmRsaSignature_EveryEngine(string engineName)
    {
        var engine = Enum.Parse<SignatureMath.Engine>(engineName);
        var (sig, key, text) = HelmVector();

        Assert.True(SignatureMath.Verify(sig, key, text, engine));
        text[0] ^= 1;
        Assert.False(SignatureMath.Verify(sig, key, text, engine));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Verify_Ed25519Signature_EveryEngine(string engineName)
    {
        var engine = Enum.Parse<SignatureMath.Engine>(engineName);
        PgpKeyPair pair = TestKeys.Ed25519(TestKeys.Created);
        byte[] text = "apiVersion: v2\nname: demo\n"u8.ToArray();
        PgpSignature sig = Sign(pair, text, HashAlgorithmTag.Sha512);

        Assert.True(SignatureMath.Verify(sig, pair.PublicKey, text, engine));
        Assert.False(SignatureMath.Verify(sig, pair.PublicKey, [.. text, (byte)'x'], engine));
        Assert.False(SignatureMath.Verify(sig, TestKeys.Ed25519(TestKeys.Created).PublicKey, text, engine));
    }

    /// <summary>
    /// A legacy EdDSA signature stores R and S as MPIs, which drop leading zero bytes (about one signature in 128 has a
    /// short one): each must be left-padded to 32 bytes, or a good signature is refused.
    /// </summary>
    [Theory]
    [MemberData(nameof(Engines))]
    public void Verify_Ed25519SignatureWithAShortMpi_EveryEngine(string engineName)
    {
        var engine = Enum.Parse<SignatureMath.Engine>(engineName);
        PgpKeyPair pair = TestKeys.Ed25519(TestKeys.Created);
        for (int i = 0; i < 5000; i++)
        {
            byte[] text = System.Text.Encoding.ASCII.GetBytes($"chart {i}\n");
            PgpSignature sig = Sign(pair, text, HashAlgorithmTag.Sha256);
            if (!HasShortEdDsaMpi(sig))
            {
                continue;
            }
            Assert.True(SignatureMath.Verify(sig, pair.PublicKey, text, engine));
            Assert.False(SignatureMath.Verify(sig, pair.PublicKey, [.. text, (byte)'x'], engine));
            return;
        }
        Assert.Fail("no signature with a short MPI in 5000 tries");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Verify_RsaSignatureWithAShortMpi_EveryEngine(string engineName)
    {
        var engine = Enum.Parse<SignatureMath.Engine>(engineName);
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(65537), Random, 1024, 80));
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, generator.GenerateKeyPair(), TestKeys.Created);
        int modulusLength = 128;
        for (int i = 0; i < 5000; i++)
        {
            byte[] text = System.Text.Encoding.ASCII.GetBytes($"chart {i}\n");
            PgpSignature sig = Sign(pair, text, HashAlgorithmTag.Sha256);
            if (sig.GetSignature().Length == modulusLength)
            {
                continue;
            }
            Assert.True(SignatureMath.Verify(sig, pair.PublicKey, text, engine));
            Assert.False(SignatureMath.Verify(sig, pair.PublicKey, [.. text, (byte)'x'], engine));
            return;
        }
        Assert.Fail("no signature with a short MPI in 5000 tries");
    }

    /// <summary>The RSA self-signature and subkey binding of Helm's test key, and the Ed25519 key of its mixed keyring.</summary>
    [Theory]
    [MemberData(nameof(Engines))]
    public void VerifyCertification_HelmKeys_EveryEngine(string engineName)
    {
        var engine = Enum.Parse<SignatureMath.Engine>(engineName);
        int checkedSignatures = 0;
        foreach (PgpPublicKeyRing ring in Keyring.Load(TestPaths.Helm("helm-mixed-keyring.pub")).PublicKeyRings)
        {
            PgpPublicKey primary = ring.GetPublicKey();
            foreach (string uid in primary.GetUserIds())
            {
                foreach (PgpSignature sig in primary.GetSignaturesForId(uid))
                {
                    Assert.True(SignatureMath.VerifyCertification(sig, primary, primary, uid, engine));
                    Assert.False(SignatureMath.VerifyCertification(sig, primary, primary, uid + " ", engine));
                    checkedSignatures++;
                }
            }
            foreach (PgpPublicKey subkey in ring.GetPublicKeys().Where(k => !k.IsMasterKey))
            {
                foreach (PgpSignature sig in subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding))
                {
                    Assert.True(SignatureMath.VerifyCertification(sig, primary, primary, subkey, engine));
                    Assert.False(SignatureMath.VerifyCertification(sig, primary, subkey, primary, engine));
                    checkedSignatures++;
                }
            }
        }
        Assert.True(checkedSignatures >= 3, $"only {checkedSignatures} signatures checked");
    }

    /// <summary>A subkey's binding and its embedded back-signature (made by the subkey) on a hand-built Ed25519 certificate.</summary>
    [Theory]
    [MemberData(nameof(Engines))]
    public void VerifyCertification_Ed25519BindingAndBackSignature_EveryEngine(string engineName)
    {
        var engine = Enum.Parse<SignatureMath.Engine>(engineName);
        var (ring, _) = TestKeys.WithSigningSubkey();
        PgpPublicKey primary = ring.GetPublicKey();
        PgpPublicKey subkey = ring.GetPublicKeys().Single(k => !k.IsMasterKey);
        PgpSignature binding = subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding).Single();
        PgpSignature back = (binding.GetHashedSubPackets().GetEmbeddedSignatures() is { Count: > 0 } hashed ? hashed : binding.GetUnhashedSubPackets().GetEmbeddedSignatures())[0];

        Assert.True(SignatureMath.VerifyCertification(binding, primary, primary, subkey, engine));
        Assert.True(SignatureMath.VerifyCertification(back, subkey, primary, subkey, engine));
        Assert.False(SignatureMath.VerifyCertification(back, primary, primary, subkey, engine));
    }

    private static PgpSignature Sign(PgpKeyPair pair, byte[] text, HashAlgorithmTag hash)
    {
        var generator = new PgpSignatureGenerator(pair.PublicKey.Algorithm, hash);
        generator.InitSign(PgpSignature.CanonicalTextDocument, pair.PrivateKey, Random);
        generator.Update(text);
        return generator.Generate();
    }

    /// <summary>Whether R or S, as written in the packet, is shorter than 32 bytes (read from the packet, not from BouncyCastle).</summary>
    private static bool HasShortEdDsaMpi(PgpSignature sig)
    {
        // A v4 signature packet ends with the 2-byte hash prefix and the MPIs: 2-byte bit count, then the bytes.
        byte[] packet = sig.GetEncoded();
        int s = packet.Length;
        int sBits = 0, rBits = 0;
        // Walk backwards is ambiguous; walk forwards from the end of the unhashed area instead.
        int offset = packet[0] < 0xC0 && (packet[0] & 0x40) == 0 ? 1 + (1 << (packet[0] & 3)) : packet[1] < 192 ? 2 : 3;
        offset += 4; // version, type, public-key algorithm, hash algorithm
        offset += 2 + (packet[offset] << 8 | packet[offset + 1]);
        offset += 2 + (packet[offset] << 8 | packet[offset + 1]);
        offset += 2; // hash prefix
        rBits = packet[offset] << 8 | packet[offset + 1];
        offset += 2 + (rBits + 7) / 8;
        sBits = packet[offset] << 8 | packet[offset + 1];
        Assert.Equal(s, offset + 2 + (sBits + 7) / 8);
        return rBits <= 248 || sBits <= 248;
    }
}
