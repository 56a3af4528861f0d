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
    /// <summary>A PEM file of the CA certificates a registry's TLS certificate must chain to (<c>--ca-file</c>), or null for the system roots.</summary>
    public string? CaFile { get; init; }

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
    /// The source its bytes come from: https, or plain http when it was added with <c>--insecure-http</c>; for a registry,
    /// its CA file and the credentials of Helm's and Docker's configuration (as <c>helm registry login</c> left them).
    /// Every download stops at <paramref name="deadline"/> (the command's <c>--timeout</c>) when given.
    /// </summary>
    /// <exception cref="ChartsealException">The URL is refused (e.g. plain http recorded without consent).</exception>
    public RepositorySource OpenSource(FetchDeadline? deadline = null) =>
        RepositorySource.Open(Url, new FetchPolicy(InsecureHttp) { Deadline = deadline }, new OciRegistryOptions { CaFile = CaFile });

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();
}
