namespace Chartseal.Fetch;

/// <summary>The outcome of <see cref="HttpFetcher.FetchAsync"/>.</summary>
public abstract record FetchOutcome
{
    private FetchOutcome() { }

    /// <summary>The server answered 404: the file does not exist.</summary>
    public sealed record NotFound : FetchOutcome;

    /// <summary>The server answered 304: the copy with the given ETag is current.</summary>
    public sealed record NotModified : FetchOutcome;

    /// <summary>The file's bytes, and its ETag when the server sent one.</summary>
    public sealed record Downloaded(byte[] Content, string? ETag) : FetchOutcome;

    /// <summary>The file was streamed to disk (<see cref="HttpFetcher.FetchToFileAsync"/>): its length, SHA-256 (hex) and ETag.</summary>
    public sealed record Saved(long Length, string Sha256, string? ETag) : FetchOutcome;
}
