using Chartseal.Keys;
using Chartseal.Fetch;

namespace Chartseal.Client;

/// <summary>What to pull.</summary>
/// <param name="Repository">The configured repository.</param>
/// <param name="Chart">The chart name (without the repository prefix).</param>
/// <param name="Version">An exact version or a SemVer range (<c>^1.2</c>, <c>&gt;=1.0 &lt;2</c>); null for the newest stable version.</param>
/// <param name="LocalKeyring">A keyring the signer must also be in (<c>--keyring</c>), or null.</param>
/// <param name="Progress">Download progress, or null.</param>
/// <param name="Deadline">The overall deadline of every download of the pull (<c>--timeout</c>), or null for none.</param>
public sealed record PullRequest(ConfiguredRepository Repository, string Chart, string? Version, Keyring? LocalKeyring = null, IProgress<DownloadProgress>? Progress = null, FetchDeadline? Deadline = null);
