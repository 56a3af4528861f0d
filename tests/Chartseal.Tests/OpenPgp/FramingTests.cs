using System.Text;
using Chartseal.Provenance;
using static Chartseal.Tests.Provenance.ProvenanceKit;
using Chartseal.OpenPgp;

namespace Chartseal.Tests.OpenPgp;

/// <summary>Clear-sign framing variants real tools produce are accepted; corrupt framing is malformed.</summary>
public sealed class FramingTests
{
    private static readonly byte[] Hashtest = Vector("hashtest-1.2.3.tgz");

    // msgblock.yaml.asc is GnuPG's layout (CRC line, final newline); the Helm 4 one has neither.
    private static string Gpg => Utf8(Vector("msgblock.yaml.asc"));

    private static ChartVerification VerifyText(string prov) => Verify(Hashtest, "hashtest-1.2.3.tgz", Encoding.UTF8.GetBytes(prov));

    private static ChartVerification VerifyBytes(byte[] prov) => Verify(Hashtest, "hashtest-1.2.3.tgz", prov);

    [Theory]
    [InlineData("msgblock.yaml.asc")]
    [InlineData("hashtest-1.2.3.tgz.prov")]
    [InlineData("extra/helm4-format/hashtest-1.2.3.tgz.prov")]
    public void Verify_CrlfConverted_Verifies(string vector)
    {
        string lf = Utf8(Vector(vector)).Replace("\r\n", "\n", StringComparison.Ordinal);
        AssertVerified(VerifyText(lf.Replace("\n", "\r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public void Verify_NoFinalNewline_Verifies()
    {
        Assert.EndsWith("\n", Gpg);
        AssertVerified(VerifyText(Gpg.TrimEnd('\n')));
    }

    [Fact]
    public void Verify_ExtraFinalNewlines_Verifies()
    {
        AssertVerified(VerifyText(Gpg + "\n"));
    }

    [Fact]
    public void Verify_GnupgCommentArmorHeader_Verifies()
    {
        string text = Gpg.Replace("-----BEGIN PGP SIGNATURE-----\n", "-----BEGIN PGP SIGNATURE-----\nComment: GPGTools - https://gpgtools.org\nVersion: GnuPG v2\n", StringComparison.Ordinal);
        Assert.NotEqual(Gpg, text);
        AssertVerified(VerifyText(text));
    }

    [Fact]
    public void Verify_CrcLineRemoved_Verifies()
    {
        var lines = Gpg.Split('\n').ToList();
        int crc = lines.FindIndex(l => l.Length == 5 && l[0] == '=');
        Assert.True(crc > 0, "vector should carry a CRC24 line");
        lines.RemoveAt(crc);
        AssertVerified(VerifyText(string.Join('\n', lines)));
    }

    [Fact]
    public void Verify_Utf8Bom_Malformed()
    {
        AssertRejected(VerifyBytes([0xEF, 0xBB, 0xBF, .. Vector("msgblock.yaml.asc")]), RejectionReason.Malformed);
    }

    [Theory]
    [InlineData("junk\n")]
    [InlineData("\n")]
    [InlineData(" ")]
    public void Verify_JunkBeforeBegin_Malformed(string junk)
    {
        AssertRejected(VerifyText(junk + Gpg), RejectionReason.Malformed);
    }

    [Fact]
    public void Verify_UnknownHeader_Malformed()
    {
        string text = Gpg.Replace("Hash: SHA512\n", "Hash: SHA512\nCharset: evil\n", StringComparison.Ordinal);
        Assert.NotEqual(Gpg, text);
        AssertRejected(VerifyText(text), RejectionReason.Malformed);
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA1")]
    public void Verify_HashHeaderNotMatchingSignature_Malformed(string header)
    {
        string text = Gpg.Replace("Hash: SHA512\n", $"Hash: {header}\n", StringComparison.Ordinal);
        AssertRejected(VerifyText(text), RejectionReason.Malformed);
    }

    [Theory]
    [InlineData("Hash: SHA256,SHA512\n")]
    [InlineData("Hash: SHA512\nHash: SHA512\n")]
    public void Verify_HashHeaderListingSeveralHashes_Verifies(string header)
    {
        AssertVerified(VerifyText(Gpg.Replace("Hash: SHA512\n", header, StringComparison.Ordinal)));
    }

    [Fact]
    public void Verify_TrailingWhitespaceAddedToSignedLines_Verifies()
    {
        // Clear-signatures ignore trailing spaces and tabs (RFC 4880 7.1), as gpg and go-crypto do.
        string text = Gpg.Replace("name: hashtest\n", "name: hashtest \t \n", StringComparison.Ordinal);
        Assert.NotEqual(Gpg, text);
        AssertVerified(VerifyText(text));
    }

    [Fact]
    public void Verify_BodyLineChanged_BadSignature()
    {
        string text = Gpg.Replace("name: hashtest\n", "name: hashtesT\n", StringComparison.Ordinal);
        AssertRejected(VerifyText(text), RejectionReason.BadSignature);
    }

    [Fact]
    public void Sign_BodyWithDashLines_DashEscapesAndRoundTrips()
    {
        string body = "apiVersion: v2\nname: hashtest\nversion: 1.2.3\nkeywords:\n- a\n-----BEGIN PGP SIGNATURE-----\n\n...\nfiles:\n  hashtest-1.2.3.tgz: sha256:" + HashtestSha + "\n";
        string prov = Utf8(SignBody(body));
        Assert.Contains("\n- - a\n- -----BEGIN PGP SIGNATURE-----\n", prov);
        var message = ClearSignedMessage.TryParse(Encoding.UTF8.GetBytes(prov), out string error);
        Assert.True(message is not null, error);
        Assert.Equal(body.TrimEnd('\n'), message!.Plaintext.TrimEnd('\n'));
    }
}
