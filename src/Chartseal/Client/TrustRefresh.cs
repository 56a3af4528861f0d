using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>The outcome of <see cref="TrustUpdater.RefreshWithFilesAsync"/>: the result and the files it was decided on.</summary>
/// <param name="Result">Accepted material or a rejection.</param>
/// <param name="Files">The raw files read; trusted only when <paramref name="Result"/> is accepted.</param>
public sealed record TrustRefresh(TrustResult Result, TrustFiles Files);
