using System.Net;
using System.Net.Http.Headers;

namespace Chartseal.Fetch;

/// <summary>Per-download options of <see cref="HttpFetcher.FetchAsync"/>.</summary>
/// <param name="IfNoneMatch">The ETag of the copy already held: the server may answer 304 Not Modified.</param>
/// <param name="Progress">Receives progress after each chunk (on the downloading thread), or null.</param>
public sealed record FetchOptions(string? IfNoneMatch = null, IProgress<DownloadProgress>? Progress = null);
