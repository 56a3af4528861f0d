using Chartseal.Keys;
using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Tests.OpenPgp;

/// <summary>The platform-RSA fast path must agree with BouncyCastle on every verdict.</summary>
public class SignatureMathTests
{
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
}
