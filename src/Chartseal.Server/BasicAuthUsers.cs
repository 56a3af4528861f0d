using System.Security.Cryptography;
using System.Text;
using Chartseal.IO;
using Org.BouncyCastle.Crypto.Generators;

namespace Chartseal.Server;

/// <summary>
/// The users that may write with HTTP Basic auth: one from <c>--basic-auth-user</c>/<c>--basic-auth-pass</c> (as
/// ChartMuseum has), and those of an htpasswd file whose entries are bcrypt (<c>htpasswd -B</c>: <c>$2y$</c>, also
/// <c>$2a$</c>/<c>$2b$</c>). Passwords are compared in constant time; the bcrypt hash is BouncyCastle's (already a
/// dependency, NativeAOT-safe), recomputed with the entry's salt and cost and compared as bytes.
/// </summary>
public sealed class BasicAuthUsers
{
    // htpasswd's bcrypt alphabet, and base64's in the same order.
    private const string BcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const int MaxVerifiedCache = 1024;

    private readonly Dictionary<string, Secret> _users;
    // SHA-256 of "user\0password" of credentials that verified, so that a user's next writes cost a hash rather
    // than a bcrypt run, and the rate limiter can tell a known user without running bcrypt before it counts.
    private readonly HashSet<string> _verified = [];
    private readonly Lock _verifiedLock = new();

    private abstract record Secret;

    private sealed record PlainSecret(byte[] Sha256) : Secret;

    private sealed record BcryptSecret(string Hash, string Version, int Cost, byte[] Salt) : Secret;

    // What a name costs when it is not known: the slowest secret (a bcrypt entry of the highest cost, when there is one),
    // so that an unknown name is never cheaper than an htpasswd user's.
    private readonly Secret? _decoy;

    private BasicAuthUsers(Dictionary<string, Secret> users)
    {
        _users = users;
        _decoy = users.Values.OfType<BcryptSecret>().MaxBy(b => b.Cost) ?? users.Values.FirstOrDefault();
    }

    /// <summary>No users: Basic auth is off.</summary>
    public static BasicAuthUsers None { get; } = new([]);

    /// <summary>How many users may write.</summary>
    public int Count => _users.Count;

    /// <summary>
    /// The users from the flags and the htpasswd file (either may be absent).
    /// </summary>
    /// <exception cref="ChartsealException">
    /// A user without a password or the reverse, an unreadable file, an entry that is not bcrypt (htpasswd's default
    /// MD5, SHA-1, crypt or plain text), a malformed line, or a user named twice.
    /// </exception>
    public static async Task<BasicAuthUsers> LoadAsync(string? user, string? password, string? htpasswdFile, CancellationToken cancellationToken = default)
    {
        var users = new Dictionary<string, Secret>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(user) != string.IsNullOrEmpty(password))
        {
            throw new ChartsealException(null, "--basic-auth-user and --basic-auth-pass go together (as options, as CHARTSEAL_SERVE_BASIC_AUTH_USER and CHARTSEAL_SERVE_BASIC_AUTH_PASS, as BASIC_AUTH_USER and BASIC_AUTH_PASS, or in the --config file)");
        }
        if (!string.IsNullOrEmpty(user))
        {
            if (user.Contains(':', StringComparison.Ordinal))
            {
                throw new ChartsealException(null, "--basic-auth-user: a user name cannot contain ':'");
            }
            users[user] = new PlainSecret(SHA256.HashData(Encoding.UTF8.GetBytes(password!)));
        }
        if (htpasswdFile is not null)
        {
            string[] lines = (await InputFile.ReadTextAsync(htpasswdFile, 4 * 1024 * 1024, cancellationToken).ConfigureAwait(false)).Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].TrimEnd('\r');
                if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
                {
                    continue;
                }
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new ChartsealException(htpasswdFile, $"line {i + 1}: not a USER:HASH entry");
                }
                string name = line[..colon];
                string hash = line[(colon + 1)..];
                var secret = ParseBcrypt(hash)
                    ?? throw new ChartsealException(htpasswdFile, $"line {i + 1} ({name}): only bcrypt entries are supported; create them with htpasswd -B");
                if (!users.TryAdd(name, secret))
                {
                    throw new ChartsealException(htpasswdFile, $"line {i + 1}: the user {name} is named twice");
                }
            }
            if (users.Count == 0)
            {
                throw new ChartsealException(htpasswdFile, "holds no user");
            }
        }
        return new BasicAuthUsers(users);
    }

    /// <summary>Whether <paramref name="user"/> with <paramref name="password"/> may write.</summary>
    public bool Verify(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        if (_users.Count == 0)
        {
            return false;
        }
        string key = CacheKey(user, password);
        lock (_verifiedLock)
        {
            if (_verified.Contains(key))
            {
                return true;
            }
        }
        // An unknown user costs the same work as a known one, so that timing does not tell which names exist; the flag
        // user (a SHA-256) beside htpasswd users pays the bcrypt run too.
        bool known = _users.TryGetValue(user, out var secret);
        if (!known || (secret is PlainSecret && _decoy is BcryptSecret))
        {
            _ = Matches(_decoy!, password);
        }
        bool match = known && Matches(secret!, password);
        if (match)
        {
            lock (_verifiedLock)
            {
                if (_verified.Count >= MaxVerifiedCache)
                {
                    _verified.Clear();
                }
                _verified.Add(key);
            }
        }
        return match;
    }

    /// <summary>Whether these credentials verified before (no bcrypt run): the rate limiter's cheap test.</summary>
    public bool VerifiedBefore(string user, string password)
    {
        lock (_verifiedLock)
        {
            return _verified.Contains(CacheKey(user, password));
        }
    }

    private static string CacheKey(string user, string password) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user + "\0" + password)));

    private static bool Matches(Secret secret, string password)
    {
        switch (secret)
        {
            case PlainSecret plain:
                return CryptographicOperations.FixedTimeEquals(plain.Sha256, SHA256.HashData(Encoding.UTF8.GetBytes(password)));
            case BcryptSecret bcrypt:
                string computed = OpenBsdBCrypt.Generate(bcrypt.Version, password.ToCharArray(), bcrypt.Salt, bcrypt.Cost);
                return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(bcrypt.Hash));
            default:
                return false;
        }
    }

    // "$2y$05$" + 22 characters of salt + 31 of hash, in bcrypt's base64 alphabet.
    private static BcryptSecret? ParseBcrypt(string hash)
    {
        if (hash.Length != 60 || hash[0] != '$' || hash[3] != '$' || hash[6] != '$')
        {
            return null;
        }
        string version = hash[1..3];
        if (version is not ("2y" or "2a" or "2b") || !int.TryParse(hash.AsSpan(4, 2), System.Globalization.NumberStyles.None, null, out int cost) || cost is < 4 or > 31)
        {
            return null;
        }
        if (hash.AsSpan(7).IndexOfAnyExcept(BcryptAlphabet) >= 0)
        {
            return null;
        }
        string salt = string.Concat(hash.AsSpan(7, 22).ToArray().Select(c => Base64Alphabet[BcryptAlphabet.IndexOf(c, StringComparison.Ordinal)])) + "==";
        return new BcryptSecret(hash, version, cost, Convert.FromBase64String(salt));
    }
}
