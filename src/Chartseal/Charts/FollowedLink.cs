namespace Chartseal.Charts;

/// <summary>
/// A symbolic link met while loading a chart folder. As Helm does, its target's contents were loaded under the
/// link's own path, wherever the target is (inside or outside the chart folder).
/// </summary>
/// <param name="Path">The link's path relative to the chart folder, <c>/</c>-separated.</param>
/// <param name="Target">The fully resolved target path on disk.</param>
public sealed record FollowedLink(string Path, string Target);
