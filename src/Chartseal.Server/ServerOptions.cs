using Chartseal.Trust;

namespace Chartseal.Server;

/// <summary>How a repository server runs: what it serves, who may write, and its limits.</summary>
public sealed record ServerOptions
{
    /// <summary>The repository folder: index.yaml, archives, their .prov files and the trust material.</summary>
    public required string RepositoryDir { get; init; }

    /// <summary>Where to listen, e.g. <c>http://127.0.0.1:8080</c> (port 0 picks a free port).</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8080";

    /// <summary>Bearer tokens that may write (empty: see <see cref="AllowAnonymousUpload"/>).</summary>
    public IReadOnlyList<string> UploadTokens { get; init; } = [];

    /// <summary>Accept writes without a token (only when no token is configured).</summary>
    public bool AllowAnonymousUpload { get; init; }

    /// <summary>
    /// The repository's root key. When null, the server pins the root that the repository's own trust material
    /// declares the first time it needs it, and logs that it did.
    /// </summary>
    public PinnedRoot? Root { get; init; }

    /// <summary>Where accepted trust versions are remembered (rollback protection across restarts).</summary>
    public required TrustStateStore TrustState { get; init; }

    /// <summary>The largest request body accepted (an upload: archive plus .prov).</summary>
    public long MaxUploadBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>Writes allowed per token (or per client address when anonymous) per minute.</summary>
    public int WritesPerMinute { get; init; } = 120;

    /// <summary>How long one request may take before it is cut off.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock (tests move it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
