using Chartseal.Tests.Support;
using Org.BouncyCastle.Bcpg;

namespace Chartseal.Cli.Tests.Helm;

/// <summary>
/// A signing key made by <c>chartseal key generate</c>, with the files each tool wants: Chartseal reads the armored
/// files as they are written; Helm needs binary keyrings (<c>gpg --dearmor</c>), a public one for <c>--keyring</c>
/// on verify and a secret one for <c>helm package --sign</c>.
/// </summary>
public sealed record HelmTestKey(string Type, string UserId, string Email, string Fingerprint, string ArmoredPublic, string ArmoredSecret, string PublicKeyring, string SecretKeyring)
{
    public override string ToString() => Type;
}

/// <summary>One RSA and one Ed25519 key, generated once per test class (RSA generation takes a moment).</summary>
public sealed class HelmSigningKeys : IDisposable
{
    private readonly TempDirectory _temp = new();

    public HelmSigningKeys()
    {
        Rsa = Generate("rsa", "rsa3072");
        Ed25519 = Generate("ed25519", "ed25519");
    }

    public HelmTestKey Rsa { get; }

    public HelmTestKey Ed25519 { get; }

    /// <summary>The key of that type (<c>rsa</c> or <c>ed25519</c>).</summary>
    public HelmTestKey Of(string type) => type switch
    {
        "rsa" => Rsa,
        "ed25519" => Ed25519,
        _ => throw new ArgumentException("no key type " + type),
    };

    /// <summary>
    /// Which Helm can use which key: RSA with both; Ed25519 only with Helm 4 (Helm 3's x/crypto cannot read EdDSA keys).
    /// </summary>
    public static TheoryData<string, string> HelmAndKeyType => new()
    {
        { HelmPeer.V4.Version, "rsa" },
        { HelmPeer.V3.Version, "rsa" },
        { HelmPeer.V4.Version, "ed25519" },
    };

    private HelmTestKey Generate(string type, string algorithm)
    {
        string email = $"{type}-maintainer@example.com";
        string userId = $"{(type == "rsa" ? "Rsa" : "Ed")} Maintainer <{email}>";
        string prefix = _temp.File(type);
        var generated = Cli.Run(_temp.Path, "key", "generate", "--name", userId, "--out", prefix, "--algorithm", algorithm, "--expires", "0");
        Cli.AssertOk(generated);
        string fingerprint = generated.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();
        Assert.Matches("^[0-9A-F]{40}$", fingerprint);
        File.WriteAllBytes(prefix + ".pub.pgp", Dearmor(prefix + ".pub.asc"));
        File.WriteAllBytes(prefix + ".sec.pgp", Dearmor(prefix + ".sec.asc"));
        return new HelmTestKey(type, userId, email, fingerprint, prefix + ".pub.asc", prefix + ".sec.asc", prefix + ".pub.pgp", prefix + ".sec.pgp");
    }

    /// <summary>What <c>gpg --dearmor</c> does to a file of one armor block.</summary>
    private static byte[] Dearmor(string path)
    {
        using var input = new ArmoredInputStream(File.OpenRead(path));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    public void Dispose() => _temp.Dispose();
}
