using System.Text;

namespace Chartseal.Fetch;

/// <summary>
/// A user name and password for HTTP Basic auth (RFC 7617) to one repository, with Helm's rule for where they go: only to
/// the repository's own scheme, host and port, unless <see cref="PassToAllHosts"/> (Helm's <c>--pass-credentials</c>)
/// also sends them to chart URLs on other hosts. Never to a redirect target on another host (<see cref="HttpFetcher"/>),
/// and never over plain http unless the repository was allowed plain http (<see cref="FetchPolicy"/>).
/// </summary>
/// <param name="Username">The user name.</param>
/// <param name="Password">The password.</param>
/// <param name="Origin">The repository's URL: its scheme, host and port are where the credentials go.</param>
public sealed record BasicCredentials(string Username, string Password, Uri Origin)
{
    /// <summary>Send them to chart URLs on other hosts too (Helm's <c>--pass-credentials</c>).</summary>
    public bool PassToAllHosts { get; init; }

    /// <summary>The <c>Authorization</c> header's value.</summary>
    public string Header => HeaderFor(Username, Password);

    /// <summary>The <c>Authorization</c> header's value for <paramref name="username"/> and <paramref name="password"/> (UTF-8, as Helm and Docker send it).</summary>
    public static string HeaderFor(string? username, string? password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));

    /// <summary>Whether a request for <paramref name="uri"/> (before any redirect) carries these credentials.</summary>
    public bool AppliesTo(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return PassToAllHosts || SameOrigin(uri, Origin);
    }

    /// <summary>Whether two URLs have the same scheme, host and port (the port made explicit).</summary>
    public static bool SameOrigin(Uri a, Uri b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
            && a.Port == b.Port;
    }

    /// <summary>
    /// Refuses a user name with a colon (it would be split there) and characters that cannot be sent (control characters).
    /// </summary>
    /// <exception cref="ChartsealException">The user name or password cannot be sent.</exception>
    public static void Check(string username, string password)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        if (username.Contains(':', StringComparison.Ordinal))
        {
            throw new ChartsealException(null, "--username: a user name for HTTP Basic auth cannot contain ':'");
        }
        if (username.Any(char.IsControl) || password.Any(char.IsControl))
        {
            throw new ChartsealException(null, "--username/--password: control characters (such as a new line) cannot be sent");
        }
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"Basic credentials of {Username} for {Origin.GetLeftPart(UriPartial.Authority)}";
}
