namespace Chartseal.Fetch;

/// <summary>Per-download options of <see cref="HttpFetcher.FetchAsync"/>.</summary>
/// <param name="IfNoneMatch">The ETag of the copy already held: the server may answer 304 Not Modified.</param>
/// <param name="Progress">Receives progress after each chunk (on the downloading thread), or null.</param>
/// <param name="Truncate">
/// Stop at the size limit and return what was read instead of failing: for a file whose size is itself a verdict
/// (a <c>.prov</c> read up to its limit + 1 is then refused as malformed, the same at every door).
/// </param>
public sealed record FetchOptions(string? IfNoneMatch = null, IProgress<DownloadProgress>? Progress = null, bool Truncate = false);
