namespace Chartseal.Fetch;

/// <summary>How far a download is: bytes received so far and the announced length, when the server sent one.</summary>
/// <param name="Uri">What is being downloaded.</param>
/// <param name="Received">Bytes received so far.</param>
/// <param name="Total">The Content-Length, or null when unknown (e.g. a compressed answer).</param>
/// <param name="Done">True in the last report of a download that completed.</param>
/// <param name="TimeLeft">The time left before the command's overall deadline (<see cref="FetchPolicy.Deadline"/>), or null when there is none.</param>
public sealed record DownloadProgress(Uri Uri, long Received, long? Total, bool Done = false, TimeSpan? TimeLeft = null);
