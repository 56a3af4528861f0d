using System.Security.Cryptography;

namespace Chartseal.Oci;

/// <summary>
/// Content digests (<c>algorithm:hex</c>) as the OCI image spec defines them. Only algorithms Chartseal can check are
/// accepted: <c>sha256</c> (what every registry and Helm write), <c>sha384</c> and <c>sha512</c>, each with exactly its
/// length of lower-case hex. A digest that cannot be checked is refused rather than trusted.
/// </summary>
public static class OciDigest
{
    /// <summary>The SHA-256 digest of <paramref name="content"/>, e.g. <c>sha256:e3b0…b855</c>.</summary>
    public static string Sha256(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The hex of a <c>sha256:</c> digest (what an <c>index.yaml</c> lists as a chart's digest), else null.</summary>
    public static string? HexOfSha256(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest["sha256:".Length..] : null;
    }

    /// <summary>Whether <paramref name="digest"/> is a well-formed digest of a supported algorithm.</summary>
    public static bool IsValid(string? digest) => digest is not null && HashOf(digest) is not null;

    /// <summary>Checks <paramref name="digest"/> and returns it.</summary>
    /// <exception cref="ChartsealException">Malformed, or an algorithm Chartseal cannot check (named after <paramref name="where"/>).</exception>
    public static string Check(string? digest, string? where = null)
    {
        return Problem(digest) is { } problem ? throw new ChartsealException(where, problem) : digest!;
    }

    /// <summary>What is wrong with <paramref name="digest"/>, or null when it is valid and checkable.</summary>
    internal static string? Problem(string? digest)
    {
        if (digest is not null && HashOf(digest) is not null)
        {
            return null;
        }
        string algorithm = digest is null ? "" : digest.Split(':')[0];
        return algorithm is "sha256" or "sha384" or "sha512" || digest is null || !digest.Contains(':', StringComparison.Ordinal)
            ? $"\"{OciReference.Printable(digest)}\" is not a valid digest (expected sha256: and 64 lower-case hex digits)"
            : $"digest \"{OciReference.Printable(digest)}\" uses the algorithm \"{OciReference.Printable(algorithm)}\", which Chartseal cannot check (sha256, sha384 and sha512 can be)";
    }

    /// <summary>Whether <paramref name="content"/> hashes to <paramref name="digest"/> (false for an invalid digest).</summary>
    public static bool Matches(string digest, ReadOnlySpan<byte> content)
    {
        using IncrementalHash? hash = CreateHash(digest);
        if (hash is null)
        {
            return false;
        }
        hash.AppendData(content);
        return Finish(digest, hash) == digest;
    }

    /// <summary>The digest of <paramref name="content"/> with the algorithm of <paramref name="likeDigest"/>.</summary>
    internal static string ComputeLike(string likeDigest, ReadOnlySpan<byte> content)
    {
        using IncrementalHash hash = CreateHash(likeDigest) ?? throw new ArgumentException("unsupported digest " + likeDigest, nameof(likeDigest));
        hash.AppendData(content);
        return Finish(likeDigest, hash);
    }

    /// <summary>An incremental hash of the algorithm of <paramref name="digest"/>, or null when it is not valid.</summary>
    internal static IncrementalHash? CreateHash(string digest) =>
        HashOf(digest) is { } name ? IncrementalHash.CreateHash(name) : null;

    /// <summary>The digest text of a finished incremental hash, in <paramref name="likeDigest"/>'s algorithm.</summary>
    internal static string Finish(string likeDigest, IncrementalHash hash) =>
        likeDigest[..likeDigest.IndexOf(':', StringComparison.Ordinal)] + ":" + Convert.ToHexStringLower(hash.GetHashAndReset());

    private static HashAlgorithmName? HashOf(string digest)
    {
        int colon = digest.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }
        (HashAlgorithmName name, int length) = digest.AsSpan(0, colon) switch
        {
            "sha256" => (HashAlgorithmName.SHA256, 64),
            "sha384" => (HashAlgorithmName.SHA384, 96),
            "sha512" => (HashAlgorithmName.SHA512, 128),
            _ => (default, 0),
        };
        ReadOnlySpan<char> hex = digest.AsSpan(colon + 1);
        return length > 0 && hex.Length == length && !hex.ContainsAnyExcept("0123456789abcdef") ? name : null;
    }
}
