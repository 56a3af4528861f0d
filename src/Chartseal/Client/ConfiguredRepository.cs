using System.Text;
using System.Text.RegularExpressions;
using Chartseal.Charts;
using Chartseal.IO;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>A repository the user added with <c>chartseal repo add</c>.</summary>
/// <param name="Name">The local name (<c>NAME/CHART</c>).</param>
/// <param name="Url">The repository URL, without a trailing slash.</param>
/// <param name="RootFingerprint">The root fingerprint pinned when the repository was added (the trust state follows rotations from it).</param>
/// <param name="TrustOnFirstUse">True when the root was taken from the repository itself (<c>--trust-on-first-use</c>), not checked out of band.</param>
/// <param name="InsecureHttp">True when plain <c>http://</c> downloads were allowed (<c>--insecure-http</c>).</param>
public sealed partial record ConfiguredRepository(string Name, string Url, string RootFingerprint, bool TrustOnFirstUse, bool InsecureHttp)
{
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
    /// Refuses <paramref name="uri"/> unless it is https, or http and <paramref name="insecureHttp"/> is set
    /// (loopback addresses included: a local proxy is no more trustworthy than a remote one).
    /// </summary>
    /// <exception cref="ChartsealException">Another scheme, or http without the flag.</exception>
    public static void CheckTransport(Uri uri, bool insecureHttp)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && insecureHttp))
        {
            return;
        }
        throw new ChartsealException(uri.ToString(), uri.Scheme == Uri.UriSchemeHttp
            ? "refusing a plain http:// URL (add the repository with --insecure-http to allow it)"
            : $"unsupported URL scheme \"{uri.Scheme}\" (https:// is required)");
    }

    /// <summary>Checks this repository's own URL with <see cref="CheckTransport(Uri, bool)"/>.</summary>
    public void CheckTransport() => CheckTransport(new Uri(Url), InsecureHttp);

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();
}
