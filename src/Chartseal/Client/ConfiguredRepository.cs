using System.Text.RegularExpressions;
using Chartseal.Fetch;
using Chartseal.Oci;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>A repository the user added with <c>chartseal repo add</c>.</summary>
/// <param name="Name">The local name (<c>NAME/CHART</c>).</param>
/// <param name="Url">The repository URL without a trailing slash, or a registry namespace <c>oci://HOST/NS</c>.</param>
/// <param name="RootFingerprint">The root fingerprint pinned when the repository was added (the trust state follows rotations from it).</param>
/// <param name="TrustOnFirstUse">True when the root was taken from the repository itself (<c>--trust-on-first-use</c>), not checked out of band.</param>
/// <param name="InsecureHttp">True when plain <c>http://</c> downloads were allowed (<c>--insecure-http</c>, also spelt <c>--plain-http</c>).</param>
public sealed partial record ConfiguredRepository(string Name, string Url, string RootFingerprint, bool TrustOnFirstUse, bool InsecureHttp)
{
    /// <summary>A PEM file of the CA certificates the repository's (or registry's) TLS certificate must chain to (<c>--ca-file</c>), or null for the system roots.</summary>
    public string? CaFile { get; init; }

    /// <summary>The user name for HTTP Basic auth to an http(s) repository (<c>--username</c>), or null.</summary>
    public string? Username { get; init; }

    /// <summary>The password for HTTP Basic auth (<c>--password</c>, <c>--password-stdin</c>), or null. Never printed.</summary>
    public string? Password { get; init; }

    /// <summary>Send the credentials to chart URLs on other hosts too (Helm's <c>--pass-credentials</c>).</summary>
    public bool PassCredentialsAll { get; init; }

    /// <summary>A PEM client certificate presented to the repository or registry (<c>--cert-file</c>, with <see cref="KeyFile"/>), or null.</summary>
    public string? CertFile { get; init; }

    /// <summary>The client certificate's PEM private key (<c>--key-file</c>), or null.</summary>
    public string? KeyFile { get; init; }

    /// <summary>
    /// Do not check the repository's (or registry's) TLS certificate (Helm's <c>--insecure-skip-tls-verify</c>). The charts' signatures
    /// still decide what is trusted; only the transport loses its check.
    /// </summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>Whether the configuration holds a secret (a password), so that its file must be readable only by its owner.</summary>
    public bool HasSecret => !string.IsNullOrEmpty(Password);

    /// <summary>The TLS settings of its downloads.</summary>
    public TlsSettings Tls => new() { CaFile = CaFile, CertFile = CertFile, KeyFile = KeyFile, InsecureSkipVerify = InsecureSkipTlsVerify };

    /// <summary>The rules every http(s) download for it obeys: plain http only when allowed, its TLS settings and credentials, the deadline.</summary>
    public FetchPolicy Policy(FetchDeadline? deadline = null) => WithTransport(new FetchPolicy(InsecureHttp) { Deadline = deadline });

    /// <summary>
    /// <paramref name="policy"/> with this repository's TLS settings and Basic credentials: for a command given the
    /// repository's URL rather than its name (<c>audit URL</c>, <c>verify --repo URL</c>, <c>trust show URL</c>), as
    /// Helm takes credentials from <c>repositories.yaml</c> for a URL it holds.
    /// </summary>
    public FetchPolicy WithTransport(FetchPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy with
        {
            Tls = Tls,
            Credentials = Username is not null && !IsOci ? new BasicCredentials(Username, Password ?? "", new Uri(Url.TrimEnd('/') + "/")) { PassToAllHosts = PassCredentialsAll } : null,
        };
    }

    /// <summary>
    /// <paramref name="url"/> in the canonical form repositories are compared in (scheme and host lower case, no default
    /// port, no trailing slash), or null when it is not an absolute http(s) URL.
    /// </summary>
    public static string? CanonicalUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return FetchPolicy.IsUrl(url) && Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out Uri? uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/')
            : null;
    }

    /// <summary>Whether this is a registry namespace (<c>oci://</c>).</summary>
    public bool IsOci => OciRepositorySource.IsOciLocation(Url);

    /// <summary>The pinned root.</summary>
    public PinnedRoot Root => new(RootFingerprint);

    /// <summary>Returns <paramref name="name"/> when it is a valid repository name (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>; not starting with a dot).</summary>
    /// <exception cref="ChartsealException">Invalid name.</exception>
    public static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name))
        {
            throw new ChartsealException(null, $"\"{name}\" is not a valid repository name (letters, digits, '.', '_' and '-', at most 100, not starting with '.')");
        }
        return name;
    }

    /// <summary>
    /// The source its bytes come from: https, or plain http when it was added with <c>--insecure-http</c>, with its TLS
    /// settings and Basic credentials (<see cref="Policy"/>); for a registry, its TLS settings and the credentials of Helm's
    /// and Docker's configuration (as <c>helm registry login</c> left them). Every download stops at
    /// <paramref name="deadline"/> (the command's <c>--timeout</c>) when given.
    /// </summary>
    /// <exception cref="ChartsealException">The URL is refused (e.g. plain http recorded without consent), or a CA or client certificate file cannot be read.</exception>
    public RepositorySource OpenSource(FetchDeadline? deadline = null) =>
        RepositorySource.Open(Url, Policy(deadline), new OciRegistryOptions { Tls = Tls });

    /// <summary>The same, its password left out (a record would print every property).</summary>
    public override string ToString() =>
        $"{Name} ({Url}, root {RootFingerprint}{(Username is null ? "" : ", user " + Username)})";

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();
}
