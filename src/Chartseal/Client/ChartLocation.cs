namespace Chartseal.Client;

/// <summary>Where an index entry's archive is, as a <see cref="RepositorySource"/> resolved it.</summary>
/// <param name="Address">The full path of a local file, or the absolute URL of a remote one (its <c>.prov</c> is this + <c>.prov</c>).</param>
/// <param name="FileName">The archive's file name: the name its <c>.prov</c> signs.</param>
public sealed record ChartLocation(string Address, string FileName);
