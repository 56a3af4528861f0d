using System.Security.Cryptography;
using System.Text;
using Chartseal.IO;
using Microsoft.AspNetCore.Http;

namespace Chartseal.Server;

/// <summary>
/// Who may write: a bearer token from the token file, a user with HTTP Basic auth (<see cref="BasicAuthUsers"/>), or
/// anyone when anonymous uploads were allowed and neither is configured.
/// </summary>
public sealed class WriteAccess
{
    private readonly byte[][] _tokenHashes;
    private readonly BasicAuthUsers _users;
    private readonly bool _allowAnonymous;

    /// <summary>Write access for these tokens and users (or, with none, for everyone only when <paramref name="allowAnonymous"/>).</summary>
    public WriteAccess(IReadOnlyList<string> tokens, BasicAuthUsers users, bool allowAnonymous)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(users);
        // Hashes of equal length compared in constant time: neither a token's bytes nor its length leak through timing.
        _tokenHashes = [.. tokens.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t)))];
        _users = users;
        _allowAnonymous = allowAnonymous && tokens.Count == 0 && users.Count == 0;
    }

    /// <summary>The <c>WWW-Authenticate</c> challenges of a 401: the schemes this server accepts.</summary>
    public string[] Challenges =>
        [.. _tokenHashes.Length > 0 || _users.Count == 0 ? ["Bearer"] : Array.Empty<string>(), .. _users.Count > 0 ? ["Basic realm=\"chartseal\", charset=\"UTF-8\""] : Array.Empty<string>()];

    /// <summary>Reads a token file: UTF-8 (a leading byte order mark is dropped), one token per line; blank lines and lines starting with # are ignored.</summary>
    /// <exception cref="ChartsealException">Unreadable, or holds no token.</exception>
    public static async Task<IReadOnlyList<string>> ReadTokenFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var tokens = (await InputFile.ReadTextAsync(path, 1024 * 1024, cancellationToken).ConfigureAwait(false)).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        return tokens.Count > 0 ? tokens : throw new ChartsealException(path, "holds no upload token");
    }

    /// <summary>Null when the request may write (<paramref name="writer"/> then names who, for logs and upload staging); otherwise why not.</summary>
    public string? Refusal(HttpContext context, out string writer)
    {
        ArgumentNullException.ThrowIfNull(context);
        writer = "address:" + context.Connection.RemoteIpAddress;
        if (_tokenHashes.Length == 0 && _users.Count == 0)
        {
            return _allowAnonymous ? null : "this server accepts no writes: start it with --upload-token-file, --basic-auth-user or --htpasswd-file (or --allow-anonymous-upload)";
        }
        if (BearerToken(context) is { } token && _tokenHashes.Length > 0)
        {
            if (!IsValid(token))
            {
                return "the bearer token is not valid";
            }
            writer = TokenKey(token);
            return null;
        }
        if (BasicCredentials(context) is ({ } user, { } password) && _users.Count > 0)
        {
            if (!_users.Verify(user, password))
            {
                return "the user name or password is not valid";
            }
            writer = "user:" + user;
            return null;
        }
        return (_tokenHashes.Length > 0, _users.Count > 0) switch
        {
            (true, true) => "an Authorization: Bearer token or Basic user name and password is required",
            (true, false) => "an Authorization: Bearer token is required",
            _ => "an Authorization: Basic user name and password is required",
        };
    }

    /// <summary>
    /// The rate-limit bucket of a request: its token (by hash) when it is a valid one, its user when these
    /// credentials verified before, else its address, so that made-up credentials cannot each get a bucket of their
    /// own, and no bcrypt run happens before the limit is counted.
    /// </summary>
    public string RateLimitKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (BearerToken(context) is { } token && IsValid(token))
        {
            return TokenKey(token);
        }
        if (BasicCredentials(context) is ({ } user, { } password) && _users.VerifiedBefore(user, password))
        {
            return "user:" + user;
        }
        return "address:" + context.Connection.RemoteIpAddress;
    }

    private static string TokenKey(string token) => "token:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)).AsSpan(0, 8));

    // RFC 7617: base64 of "user:password" (UTF-8), split at the first colon.
    private static (string User, string Password)? BasicCredentials(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        const string scheme = "Basic ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            string decoded = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(header[scheme.Length..].Trim()));
            int colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }

    private bool IsValid(string token)
    {
        byte[] presented = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        bool match = false;
        foreach (byte[] hash in _tokenHashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, presented);
        }
        return match;
    }

    private static string? BearerToken(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        const string scheme = "Bearer ";
        return header is not null && header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }
}
