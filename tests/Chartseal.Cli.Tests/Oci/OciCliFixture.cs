using System.Text.Json;
using Chartseal.Oci;
using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests.Oci;

/// <summary>
/// The real CNCF registry and three keys made by <c>chartseal key generate</c> (a root and two maintainers, Jane and
/// Max), shared by one test class; each test takes namespaces of its own (<see cref="NewNamespace"/>).
/// </summary>
public class OciCliFixture : IDisposable
{
    private int _namespaces;

    public OciCliFixture()
        : this(RegistryAuth.None)
    {
    }

    protected OciCliFixture(RegistryAuth auth, bool tls = false, bool mutualTls = false)
    {
        Cli.EnsureBuilt();
        Registry = new OciTestRegistry(auth, tls, mutualTls: mutualTls);
        foreach (string who in new[] { "root", "jane", "max" })
        {
            var generated = Cli.Run(Keys.Path, "key", "generate", "--name", $"{who} <{who}@example.com>", "--out", who, "--expires", "1y");
            Cli.AssertOk(generated);
            Fingerprints[who] = generated.StdOut.Split('\n')[0].Replace("Generated key ", "", StringComparison.Ordinal).Trim();
        }
    }

    public OciTestRegistry Registry { get; }

    public TempDirectory Keys { get; } = new();

    /// <summary>Primary fingerprints by name (root, jane, max).</summary>
    public Dictionary<string, string> Fingerprints { get; } = new(StringComparer.Ordinal);

    public string Root => Fingerprints["root"];

    public string Public(string who) => Keys.File(who + ".pub.asc");

    public string Secret(string who) => Keys.File(who + ".sec.asc");

    /// <summary>A namespace no other test uses: <c>oci://HOST/nsN/charts</c>.</summary>
    public string NewNamespace() => $"oci://{Registry.Host}/ns{Interlocked.Increment(ref _namespaces)}/charts";

    /// <summary>The root options of the trust commands.</summary>
    public string[] RootKey => ["--root-key", "root", "--root-keyring", Secret("root")];

    /// <summary>
    /// How the commands reach the registry: <c>--plain-http</c>, or <c>--ca-file</c> for one that serves HTTPS (and
    /// <c>--cert-file</c>/<c>--key-file</c> for one that requires a client certificate).
    /// </summary>
    public string[] Transport => Registry.CaFile is not { } ca ? ["--plain-http"]
        : Registry.ClientCertFile is { } cert ? ["--ca-file", ca, "--cert-file", cert, "--key-file", Registry.ClientKeyFile!]
        : ["--ca-file", ca];

    /// <summary><c>trust init</c> and <c>trust add</c> of <paramref name="maintainers"/> on <paramref name="namespace"/>.</summary>
    public void Trust(TempDirectory t, string @namespace, params string[] maintainers)
    {
        Cli.AssertOk(Cli.Run(t.Path, ["trust", "init", @namespace, .. RootKey, .. Transport]));
        if (maintainers.Length > 0)
        {
            Cli.AssertOk(Cli.Run(t.Path, ["trust", "add", @namespace, .. maintainers.Select(Public), .. RootKey, .. Transport]));
        }
    }

    /// <summary>Packages examples/hello at <paramref name="version"/> into <c>OUT/hello-VERSION.tgz</c>, signed by <paramref name="signer"/> (or unsigned).</summary>
    public string Package(TempDirectory t, string version, string? signer, string output = "out")
    {
        string[] sign = signer is null ? [] : ["--sign", "--key", signer, "--keyring", Secret(signer)];
        Cli.AssertOk(Cli.Run(t.Path, ["package", Path.Combine(TestPaths.RepoRoot, "examples", "hello"), "-d", output, "--version", version, .. sign]));
        return Path.Combine(t.Path, output, $"hello-{version}.tgz");
    }

    /// <summary>A client of the registry with its user's credentials (for looking at what is stored).</summary>
    public OciRegistryClient Client() => new(Registry.ClientOptions(Registry.Auth == RegistryAuth.None ? null : Registry.UserCredentials) with { Tls = Registry.ClientTls });

    /// <summary>The reference of a namespace's chart.</summary>
    public static OciReference Chart(string @namespace, string chart, string? tag = null)
    {
        var reference = OciReference.Parse(@namespace).Child(chart);
        return tag is null ? reference : reference.WithTag(tag);
    }

    /// <summary>The tags of a namespace's chart (none when nothing was pushed).</summary>
    public async Task<IReadOnlyList<string>> TagsAsync(string @namespace, string chart)
    {
        using var client = Client();
        return await client.ListTagsAsync(Chart(@namespace, chart), 0, TestContext.Current.CancellationToken);
    }

    /// <summary>The refusal of a one-line stderr, from its reason on (what is refused is named before it).</summary>
    public static string RefusalOf(CliResult r, string reason)
    {
        string line = Assert.Single(r.StdErrLines);
        int at = line.IndexOf(": " + reason + ": ", StringComparison.Ordinal);
        Assert.True(at >= 0, r.ToString());
        return line[(at + 2)..];
    }

    public static JsonElement Json(CliResult r) => JsonDocument.Parse(r.StdOut).RootElement;

    public virtual void Dispose()
    {
        Registry.Dispose();
        Keys.Dispose();
        GC.SuppressFinalize(this);
    }
}
