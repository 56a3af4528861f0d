using System.Security.Cryptography;
using System.Text;
using Chartseal.IO;
using Microsoft.AspNetCore.Http;

namespace Chartseal.Server;

/// <summary>Who may write: a bearer token from the token file, or anyone when anonymous uploads were allowed.</summary>
public sealed class WriteAccess
{
    private readonly byte[][] _tokenHashes;
    private readonly bool _allowAnonymous;

    /// <summary>Write access for these tokens (or, with none, for everyone only when <paramref name="allowAnonymous"/>).</summary>
    public WriteAccess(IReadOnlyList<string> tokens, bool allowAnonymous)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        // Hashes of equal length compared in constant time: neither a token's bytes nor its length leak through timing.
        _tokenHashes = [.. tokens.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t)))];
        _allowAnonymous = allowAnonymous && tokens.Count == 0;
    }

    /// <summary>Reads a token file: one token per line; blank lines and lines starting with # are ignored.</summary>
    /// <exception cref="ChartsealException">Unreadable, or holds no token.</exception>
    public static async Task<IReadOnlyList<string>> ReadTokenFileAsync(string path, CancellationToken cancellationToken = default)
    {
        byte[] bytes = await InputFile.ReadAsync(path, 1024 * 1024, cancellationToken).ConfigureAwait(false);
        var tokens = Encoding.UTF8.GetString(bytes).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        return tokens.Count > 0 ? tokens : throw new ChartsealException(path, "holds no upload token");
    }

    /// <summary>Null when the request may write; otherwise why not.</summary>
    public string? Refusal(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_tokenHashes.Length == 0)
        {
            return _allowAnonymous ? null : "this server accepts no writes: start it with --upload-token-file (or --allow-anonymous-upload)";
        }
        if (BearerToken(context) is not { } token)
        {
            return "an Authorization: Bearer token is required";
        }
        return IsValid(token) ? null : "the bearer token is not valid";
    }

    /// <summary>
    /// The rate-limit bucket of a request: its token (by hash) when it is a valid one, else its address, so that
    /// made-up tokens cannot each get a bucket of their own.
    /// </summary>
    public string RateLimitKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return BearerToken(context) is { } token && IsValid(token)
            ? "token:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)).AsSpan(0, 8))
            : "address:" + context.Connection.RemoteIpAddress;
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
