namespace Chartseal.Fetch;

/// <summary>Per-download options of <see cref="HttpFetcher.FetchAsync"/>.</summary>
/// <param name="IfNoneMatch">The ETag of the copy already held: the server may answer 304 Not Modified.</param>
/// <param name="Progress">Receives progress after each chunk (on the downloading thread), or null.</param>
/// <param name="Truncate">
/// Stop at the size limit and return what was read instead of failing: for a file whose size is itself a verdict
/// (a <c>.prov</c> read up to its limit + 1 is then refused as malformed, the same at every door).
/// </param>
/// <param name="Lease">
/// A lease of a <see cref="MemoryBudget"/> shared with other downloads: before buffering the body, the fetcher reserves
/// its announced length (or twice <c>maxBytes</c> when the length is unknown: the chunks and the final array exist
/// together for a moment) and waits while the budget is spent; once the body is read the lease is trimmed to its size,
/// and the caller disposes it when it drops the bytes.
/// </param>
/// <param name="ForbiddenIsMissing">
/// Take a 403 answer for a missing file, as a 404: what static hosting answers for an object it does not hold when
/// listing is not allowed (S3, and CloudFront in front of it). Only for a file the repository may lack, read after one it
/// always has: a repository that wants credentials refuses that one first, and says so.
/// </param>
public sealed record FetchOptions(string? IfNoneMatch = null, IProgress<DownloadProgress>? Progress = null, bool Truncate = false, MemoryLease? Lease = null, bool ForbiddenIsMissing = false);
