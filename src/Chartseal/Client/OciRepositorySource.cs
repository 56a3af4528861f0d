using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Chartseal.Charts;
using Chartseal.Compat;
using Chartseal.Fetch;
using Chartseal.Gate;
using Chartseal.Oci;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// A Chartseal repository in an OCI registry: the namespace <c>oci://HOST/NS</c>. Charts are where and as Helm stores
/// them (<c>HOST/NS/NAME:VERSION</c>, <c>+</c> written <c>_</c>, Helm's media types, the <c>.prov</c> as a layer); the
/// trust files are the layers of one artifact (<see cref="OciTrustArtifact"/>). Every request goes through one
/// <see cref="OciRegistryClient"/> (its credentials, TLS or <c>--plain-http</c>, timeouts, size limits, digests checked
/// before anything is returned). A registry has no <c>index.yaml</c>: <see cref="ReadIndexAsync"/> builds one from the
/// charts it finds (<see cref="Enumeration"/>) and their tags, and a chart's versions are read live from its tag list
/// (<see cref="ReadChartVersionsAsync"/>). A chart has no file name either: the gate judges it under the name its
/// <c>.prov</c> signs and requires that to be the canonical <c>NAME-VERSION.tgz</c> of the signed chart, and the
/// signed chart's name and version to be the reference's repository name and tag.
/// </summary>
public sealed partial class OciRepositorySource : RepositorySource
{
    /// <summary>Requests made at once when a whole namespace is read.</summary>
    public const int MaxParallelRequests = 8;

    /// <summary>The largest chart config (its Chart.yaml as JSON) read for the catalogue.</summary>
    public const long MaxConfigSize = 1024L * 1024;

    private readonly OciRegistryClient _client;
    private readonly bool _ownsClient;
    private readonly IReadOnlyList<string> _named;
    private readonly ConcurrentDictionary<string, Task<HelmChartLayers?>> _charts = new(StringComparer.Ordinal);

    /// <summary>A source for the namespace <paramref name="namespace"/> with its own registry client.</summary>
    /// <param name="namespace">The namespace (no tag or digest).</param>
    /// <param name="options">How to reach the registry.</param>
    /// <param name="charts">Chart names to look at beyond those the registry lists (<c>audit --chart</c>).</param>
    /// <exception cref="ChartsealException">Not a namespace, or an invalid chart name or CA file.</exception>
    public OciRepositorySource(OciReference @namespace, OciRegistryOptions options, IEnumerable<string>? charts = null)
        : this(@namespace, new OciRegistryClient(options), ownsClient: true, charts)
    {
    }

    /// <summary>A source for the namespace <paramref name="namespace"/> sharing <paramref name="client"/> (not disposed with the source).</summary>
    /// <exception cref="ChartsealException">Not a namespace, or an invalid chart name.</exception>
    public OciRepositorySource(OciReference @namespace, OciRegistryClient client, IEnumerable<string>? charts = null)
        : this(@namespace, client, ownsClient: false, charts)
    {
    }

    private OciRepositorySource(OciReference @namespace, OciRegistryClient client, bool ownsClient, IEnumerable<string>? charts)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        Namespace = CheckNamespace(@namespace, @namespace.ToString());
        Location = CanonicalLocation(Namespace);
        var named = new List<string>();
        foreach (string chart in charts ?? [])
        {
            named.Add(IsChartName(chart) ? chart : throw new ChartsealException(chart, NotAChartName));
        }
        _named = named;
    }

    /// <summary>The namespace.</summary>
    public OciReference Namespace { get; }

    /// <summary>The registry client every request goes through.</summary>
    public OciRegistryClient Client => _client;

    /// <summary>Where the namespace's trust artifact is.</summary>
    public OciReference TrustReference => OciTrustArtifact.ReferenceIn(Namespace);

    /// <summary>How the charts were found by the last <see cref="ReadIndexAsync"/>; null before.</summary>
    public OciChartEnumeration? Enumeration { get; private set; }

    /// <inheritdoc />
    public override string Location { get; }

    /// <inheritdoc />
    public override bool IsRemote => true;

    /// <summary>Whether <paramref name="location"/> is an <c>oci://</c> reference.</summary>
    public static bool IsOciLocation(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.StartsWith(OciReference.Scheme, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Parses <c>oci://HOST/NS</c>: a namespace, without tag or digest.</summary>
    /// <exception cref="ChartsealException">Not a valid reference, or one with a tag or digest.</exception>
    public static OciReference ParseNamespace(string location) => CheckNamespace(OciReference.Parse(location), location);

    /// <summary>The canonical form of a namespace: <c>oci://</c>, the registry in lower case, the path.</summary>
    public static string CanonicalLocation(OciReference @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        return OciReference.Scheme + @namespace.Registry.ToLowerInvariant() + (@namespace.Repository.Length > 0 ? "/" + @namespace.Repository : "");
    }

    /// <summary>
    /// Whether <paramref name="name"/> can be a chart of a namespace: one repository path component (the distribution
    /// spec's grammar), and not <see cref="OciTrustArtifact.RepositoryName"/>, which holds the namespace's trust material.
    /// </summary>
    public static bool IsChartName(string name) =>
        name is not null && name != OciTrustArtifact.RepositoryName && ComponentPattern().IsMatch(name);

    /// <summary>The reference of chart <paramref name="chart"/> version <paramref name="version"/> in this namespace (<c>+</c> written <c>_</c>).</summary>
    /// <exception cref="ChartsealException">Not a chart name, or a version that cannot be a tag.</exception>
    public OciReference ChartReference(string chart, string version) =>
        IsChartName(chart) ? Namespace.Child(chart).WithTag(OciReference.TagForVersion(version)) : throw new ChartsealException($"{Location}/{chart}", NotAChartName);

    /// <inheritdoc />
    public override string AddressOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TrustFileNames.Contains(name, StringComparer.Ordinal))
        {
            return $"{TrustReference} ({name})";
        }
        return name == ChartIndex.FileName ? $"{Location} (its charts and tags)" : $"{Location}/{name}";
    }

    /// <inheritdoc />
    public override async Task<TrustFiles> ReadTrustFilesAsync(CancellationToken cancellationToken = default) =>
        (await OciTrustArtifact.ReadAsync(_client, Namespace, cancellationToken).ConfigureAwait(false))?.Files ?? TrustFiles.From(_ => null);

    /// <inheritdoc />
    public override async Task<byte[]?> ReadFileAsync(string name, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TrustFileNames.Contains(name, StringComparer.Ordinal))
        {
            return null; // a namespace holds no other files
        }
        TrustFiles files = await ReadTrustFilesAsync(cancellationToken).ConfigureAwait(false);
        byte[]? content = files.Of(name);
        return content is not null && content.Length > maxBytes
            ? throw new ChartsealException(AddressOf(name), $"is larger than the {maxBytes} byte limit ({content.Length} bytes)")
            : content;
    }

    /// <summary>The namespace's index snapshot artifact as stored (<see cref="OciIndexSnapshot"/>); null when it has none.</summary>
    /// <exception cref="ChartsealException">Not a snapshot artifact, or a failed request.</exception>
    public Task<(byte[]? Snapshot, byte[]? Tags)?> ReadIndexSnapshotAsync(CancellationToken cancellationToken = default) =>
        OciIndexSnapshot.ReadAsync(_client, Namespace, cancellationToken);

    /// <summary>
    /// From now on, reads this verified map instead of the registry's live tags: the charts and versions are the map's,
    /// and each chart's manifest is fetched by the digest the map gives (a registry that moved or hid a tag cannot
    /// change what is read; it can only withhold it).
    /// </summary>
    public void PinTags(OciTagMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _pinned = map;
        _charts.Clear();
    }

    private OciTagMap? _pinned;

    /// <summary>The verified tag map this source follows (<see cref="PinTags"/>); null when it reads the registry's live tags.</summary>
    public OciTagMap? SignedTags => _pinned;

    /// <summary>
    /// The most bytes of manifests and configs one <see cref="ReadIndexAsync"/> reads (<see cref="ChartIndex.MaxIndexSize"/>:
    /// the index built from them is held in memory, and the cache refuses a larger one).
    /// </summary>
    internal long MaxIndexBytes { get; init; } = ChartIndex.MaxIndexSize;

    /// <summary>
    /// The map of the namespace as the registry holds it now (for the index key's signer): every chart found
    /// (<see cref="EnumerateChartsAsync"/>), each of its SemVer tags that holds a Helm chart, and the digest of the manifest
    /// each such tag holds (read by the tag, never by a signed map's digest). Tags that hold anything else (an image, another
    /// artifact) are left out, as the index built for clients leaves them out.
    /// </summary>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public async Task<OciTagMap> ReadLiveTagMapAsync(CancellationToken cancellationToken = default) =>
        await ReadLiveTagsAsync((await EnumerateChartsAsync(cancellationToken).ConfigureAwait(false)).Charts, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Every chart tag the registry holds that the signed tag map this source follows (<see cref="PinTags"/>) does not hold
    /// as it is, for audit: a tag the map does not list (referenced by its tag), and a tag that now holds another manifest
    /// than the map names (referenced by its tag and the digest it holds now). Each entry names the reference's chart and
    /// version; the gate refuses every one of them (<see cref="ExpectationsFor"/>). The charts looked at are the map's, the
    /// names given, the chart list's and the catalog's (<see cref="Enumeration"/> says so). Empty when no map is followed.
    /// </summary>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public async Task<IReadOnlyList<IndexEntry>> ReadUnlistedEntriesAsync(CancellationToken cancellationToken = default)
    {
        if (_pinned is not { } pinned)
        {
            return [];
        }
        OciChartEnumeration found = await EnumerateChartsAsync(cancellationToken).ConfigureAwait(false);
        var charts = new SortedSet<string>(found.Charts, StringComparer.Ordinal);
        charts.UnionWith(pinned.Charts);
        OciTagMap live = await ReadLiveTagsAsync(charts, cancellationToken).ConfigureAwait(false);
        var entries = new List<IndexEntry>();
        foreach (string chart in live.Charts)
        {
            foreach (var (tag, digest) in live.TagsOf(chart))
            {
                string? signed = pinned.DigestOf(chart, tag);
                if (signed != digest)
                {
                    OciReference reference = Namespace.Child(chart).WithTag(tag);
                    entries.Add(TagEntry(chart, tag, signed is null ? reference : reference.WithDigest(digest)));
                }
            }
        }
        Enumeration = new OciChartEnumeration([.. charts], _named.Count, found.ChartList, found.Catalog, found.CatalogProblem, SignedTagMap: true,
            SignedCharts: pinned.Charts.Count, Unlisted: [.. entries.Select(e => e.Urls[0])]);
        return entries;
    }

    /// <summary>
    /// The versions of <paramref name="chart"/> whose tags the registry's tag list holds but the signed tag map this source
    /// follows does not list, newest first (each refused by the gate: <see cref="ExpectationsFor"/>); null when no map is followed.
    /// </summary>
    /// <exception cref="ChartsealException">Not a chart name, or a failed request.</exception>
    public async Task<ChartIndex?> ReadUnlistedVersionsAsync(string chart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (_pinned is not { } pinned)
        {
            return null;
        }
        if (!IsChartName(chart))
        {
            throw new ChartsealException($"{Location}/{chart}", NotAChartName);
        }
        OciReference repository = Namespace.Child(chart);
        var index = new ChartIndex();
        foreach (string tag in await _client.ListTagsAsync(repository, 0, cancellationToken).ConfigureAwait(false))
        {
            if (VersionOfTag(tag) is not null && pinned.DigestOf(chart, tag) is null)
            {
                index.Add(TagEntry(chart, tag, repository.WithTag(tag)));
            }
        }
        index.SortVersions();
        return index;
    }

    private async Task<OciTagMap> ReadLiveTagsAsync(IEnumerable<string> charts, CancellationToken cancellationToken)
    {
        var tags = new ConcurrentBag<(string Chart, string Tag, string Digest)>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelRequests, CancellationToken = cancellationToken };
        var tagged = new ConcurrentBag<(string Chart, string Tag)>();
        await Parallel.ForEachAsync(charts, parallel, async (chart, token) =>
        {
            foreach (string tag in await _client.ListTagsAsync(Namespace.Child(chart), 0, token).ConfigureAwait(false))
            {
                if (VersionOfTag(tag) is not null)
                {
                    tagged.Add((chart, tag));
                }
            }
        }).ConfigureAwait(false);
        await Parallel.ForEachAsync(tagged, parallel, async (item, token) =>
        {
            OciReference reference = Namespace.Child(item.Chart).WithTag(item.Tag);
            if (await ChartLayersAsync(reference, live: true, token).ConfigureAwait(false) is { } chart)
            {
                tags.Add((item.Chart, item.Tag, chart.Digest));
            }
        }).ConfigureAwait(false);
        return new OciTagMap(tags);
    }

    /// <summary>
    /// Whether <paramref name="reference"/> (a chart of this namespace, by tag or digest; a tag of the signed map followed is
    /// read by the map's digest) holds a Helm chart: false when the registry has no such manifest, or holds something else
    /// there (an image, another artifact). The manifest read is the one the chart's archive and <c>.prov</c> are read from next.
    /// </summary>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public async Task<bool> HoldsChartAsync(OciReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return await ChartLayersAsync(reference, live: false, cancellationToken).ConfigureAwait(false) is not null;
    }

    // The manifest a chart reference holds when it is a Helm chart (null when it is gone or is not one): read as the layers
    // of the reference are read (a tag of the signed map followed by the map's digest), or with live, by the tag whatever
    // the map says. Remembered for the reads of its layers under the reference with the manifest's digest, and under the
    // reference itself when that reads the same manifest.
    private async Task<(string Digest, HelmChartLayers Layers)?> ChartLayersAsync(OciReference reference, bool live, CancellationToken cancellationToken)
    {
        OciReference read = live ? reference : Pinned(reference);
        if (await _client.GetManifestAsync(read, cancellationToken).ConfigureAwait(false) is not { } response)
        {
            return null;
        }
        string where = reference.ToString();
        HelmChartLayers layers;
        try
        {
            layers = HelmChartArtifact.ReadLayers(response.Parse(where), where);
        }
        catch (ChartsealException)
        {
            return null; // not a Helm chart
        }
        _charts.TryAdd(reference.WithDigest(response.Digest).ToString(), Task.FromResult<HelmChartLayers?>(layers));
        if (Pinned(reference).ToString() == read.ToString())
        {
            _charts.TryAdd(where, Task.FromResult<HelmChartLayers?>(layers));
        }
        return (response.Digest, layers);
    }

    /// <summary>
    /// An <c>index.yaml</c> built from the registry: every chart found (<see cref="Enumeration"/>: the names given, the
    /// chart list, the catalog), every tag of each that is a SemVer version, and for each the manifest (the chart layer's
    /// digest, the creation time) and the config (description, appVersion, keywords...). Entries name what the reference
    /// names (<c>NAME</c> and the tag read as a version); their URL is the reference. Manifests that are not Helm charts
    /// (another config type, no or several chart layers) are left out; a tag of the pinned, signed map
    /// whose manifest the registry no longer serves stays in (pull and audit then refuse it as missing). The "ETag" is the index's SHA-256.
    /// </summary>
    /// <exception cref="ChartsealException">A failed request.</exception>
    public override async Task<FetchOutcome> ReadIndexAsync(string? etag, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default)
    {
        var tagged = new ConcurrentBag<(string Chart, string Tag)>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelRequests, CancellationToken = cancellationToken };
        // Counted per call: two builds at once (a server refreshing while a client reads) must not share one budget.
        var indexBytes = new StrongBox<long>();
        if (_pinned is { } pinned)
        {
            // The signed map is the catalogue: its charts and tags, nothing the registry adds or hides.
            Enumeration = new OciChartEnumeration([.. pinned.Charts], _named.Count, null, null, null, SignedTagMap: true, SignedCharts: pinned.Charts.Count);
            foreach (string chart in pinned.Charts)
            {
                foreach (string tag in pinned.TagsOf(chart).Keys.Where(t => VersionOfTag(t) is not null))
                {
                    tagged.Add((chart, tag));
                }
            }
        }
        else
        {
            OciChartEnumeration enumeration = await EnumerateChartsAsync(cancellationToken).ConfigureAwait(false);
            Enumeration = enumeration;
            await Parallel.ForEachAsync(enumeration.Charts, parallel, async (chart, token) =>
            {
                foreach (string tag in await _client.ListTagsAsync(Namespace.Child(chart), 0, token).ConfigureAwait(false))
                {
                    if (VersionOfTag(tag) is not null)
                    {
                        tagged.Add((chart, tag));
                    }
                }
            }).ConfigureAwait(false);
        }
        var entries = new ConcurrentBag<IndexEntry>();
        await Parallel.ForEachAsync(tagged, parallel, async (item, token) =>
        {
            if (await ReadEntryAsync(item.Chart, item.Tag, indexBytes, token).ConfigureAwait(false) is { } entry)
            {
                entries.Add(entry);
            }
        }).ConfigureAwait(false);
        var index = new ChartIndex { Generated = ChartIndex.Timestamp(DateTimeOffset.UnixEpoch) };
        foreach (IndexEntry entry in entries.OrderBy(e => e.Urls[0], StringComparer.Ordinal))
        {
            index.Add(entry);
        }
        index.SortVersions();
        byte[] yaml = new UTF8Encoding(false).GetBytes(index.Serialize());
        string tag256 = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(yaml));
        return tag256 == etag ? new FetchOutcome.NotModified() : new FetchOutcome.Downloaded(yaml, tag256);
    }

    /// <summary>
    /// The index built by <see cref="ReadIndexAsync"/>, written to <paramref name="path"/>: a registry has no
    /// <c>index.yaml</c> to stream, and the one built from its tags holds one short entry per tag.
    /// </summary>
    public override async Task<FetchOutcome> SaveIndexAsync(string? etag, string path, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (await ReadIndexAsync(etag, progress, cancellationToken).ConfigureAwait(false) is not FetchOutcome.Downloaded built)
        {
            return new FetchOutcome.NotModified();
        }
        await File.WriteAllBytesAsync(path, built.Content, cancellationToken).ConfigureAwait(false);
        return new FetchOutcome.Saved(built.Content.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(built.Content)), built.ETag);
    }

    /// <summary>The chart names to look at: the names given, the chart list's, and the catalog's below the namespace.</summary>
    /// <exception cref="ChartsealException">A failed request (a catalog the registry does not offer is not one).</exception>
    public async Task<OciChartEnumeration> EnumerateChartsAsync(CancellationToken cancellationToken = default)
    {
        var names = new SortedSet<string>(_named, StringComparer.Ordinal);
        int? listed = null, cataloged = null;
        string? problem = null;
        if (await OciChartList.ReadAsync(_client, Namespace, cancellationToken).ConfigureAwait(false) is { Count: > 0 } list)
        {
            listed = list.Count;
            names.UnionWith(list);
        }
        try
        {
            string prefix = Namespace.Repository.Length == 0 ? "" : Namespace.Repository + "/";
            var found = (await _client.ListRepositoriesAsync(Namespace.Registry, 0, cancellationToken).ConfigureAwait(false))
                .Where(r => r.StartsWith(prefix, StringComparison.Ordinal) && IsChartName(r[prefix.Length..]))
                .Select(r => r[prefix.Length..])
                .ToList();
            cataloged = found.Count;
            names.UnionWith(found);
        }
        catch (OciRegistryException e) when (e.IsUnsupported || e.StatusCode is 401 or 403)
        {
            problem = e.Message;
        }
        return new OciChartEnumeration([.. names], _named.Count, listed, cataloged, problem);
    }

    /// <summary>The versions of <paramref name="chart"/>: its tags that are SemVer versions (<c>_</c> read as <c>+</c>), newest first.</summary>
    /// <exception cref="ChartsealException">Not a chart name, or a failed request.</exception>
    public override async Task<ChartIndex?> ReadChartVersionsAsync(string chart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (!IsChartName(chart))
        {
            throw new ChartsealException($"{Location}/{chart}", NotAChartName);
        }
        OciReference repository = Namespace.Child(chart);
        var index = new ChartIndex();
        IEnumerable<string> tags = _pinned is { } pinned ? pinned.TagsOf(chart).Keys : await _client.ListTagsAsync(repository, 0, cancellationToken).ConfigureAwait(false);
        foreach (string tag in tags)
        {
            if (VersionOfTag(tag) is not null)
            {
                index.Add(TagEntry(chart, tag, repository.WithTag(tag)));
            }
        }
        index.SortVersions();
        return index;
    }

    /// <summary>Where a chart reference of this namespace points: <c>oci://HOST/NS/NAME:TAG</c>; null for anything else.</summary>
    public override ChartLocation? Locate(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!IsOciLocation(url) || !OciReference.TryParse(url, out OciReference? reference, out _) || reference.Tag is null
            || !string.Equals(reference.Registry, Namespace.Registry, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        string prefix = Namespace.Repository.Length == 0 ? "" : Namespace.Repository + "/";
        if (!reference.Repository.StartsWith(prefix, StringComparison.Ordinal) || reference.Repository[prefix.Length..] is not { } chart || !IsChartName(chart))
        {
            return null;
        }
        return new ChartLocation(reference.ToString(), $"{chart}-{OciReference.VersionForTag(reference.Tag)}.tgz");
    }

    /// <summary>The chart layer of the manifest at the location's tag; null when the tag does not exist.</summary>
    /// <exception cref="ChartsealException">Not a Helm chart, a chart layer larger than <see cref="RepositorySource.MaxArchiveSize"/>, or a failed request.</exception>
    public override async Task<byte[]?> ReadArchiveAsync(ChartLocation chart, IProgress<DownloadProgress>? progress, MemoryLease? lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (await LayersOfAsync(chart, cancellationToken).ConfigureAwait(false) is not { } layers)
        {
            return null;
        }
        if (layers.Chart.Size > MaxArchiveSize)
        {
            throw new ChartsealException(chart.Address, $"the chart layer is larger than the {MaxArchiveSize} byte limit ({layers.Chart.Size} bytes)");
        }
        if (lease is not null)
        {
            // The manifest says the layer's size, and the blob is checked against it: that is what the read can hold.
            await lease.ReserveAsync(layers.Chart.Size, cancellationToken).ConfigureAwait(false);
        }
        // As sent, when the gate can compare it with the layer's digest (see ExpectationsFor): a blob changed in the registry's
        // storage is then a verdict on that one chart (audit goes on with the next), as a changed archive is over HTTP.
        return OciDigest.HexOfSha256(layers.Chart.Digest) is not null
            ? await _client.GetBlobAsSentAsync(OciReference.Parse(chart.Address), layers.Chart, cancellationToken).ConfigureAwait(false)
            : await _client.GetBlobAsync(OciReference.Parse(chart.Address), layers.Chart, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The provenance layer of the same manifest as <see cref="ReadArchiveAsync"/>; null when the chart has none.</summary>
    /// <exception cref="ChartsealException">Not a Helm chart, or a failed request.</exception>
    public override async Task<byte[]?> ReadProvenanceAsync(ChartLocation chart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (await LayersOfAsync(chart, cancellationToken).ConfigureAwait(false) is not { Provenance: { } provenance })
        {
            return null;
        }
        if (provenance.Size > ChartVerifier.MaxProvenanceLength)
        {
            // Never downloaded: only its length matters, and the gate refuses a .prov that long as malformed, the same at
            // every door (a file is read up to one byte over the limit for the same reason).
            return new byte[ProvenanceReadLimit];
        }
        // As sent: the gate checks the signature, so a changed .prov is refused as any bad .prov is, chart by chart.
        return await _client.GetBlobAsSentAsync(OciReference.Parse(chart.Address), provenance, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The archive name the chart's <c>.prov</c> signs (when it signs exactly one plain <c>.tgz</c> name), else the name the reference gives.</summary>
    public override string ArchiveNameFor(ChartLocation chart, byte[]? provenance)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (provenance is not null && ChartResigning.ReadUnverifiedBody(provenance, out _) is { Files.Count: 1 } body
            && body.Files.Keys.Single() is var named && IsPlainArchiveName(named))
        {
            return named;
        }
        return chart.FileName;
    }

    /// <summary>
    /// The entry's name and version (the reference's repository name and tag), the canonical file name, and the chart
    /// layer's digest when the entry was read from a manifest; the reference is named in any refusal.
    /// </summary>
    public override GateExpectations ExpectationsFor(IndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string? digest = entry.Digest.Length > 0 ? entry.Digest : null;
        if (digest is null && entry.Urls.Count > 0 && _charts.TryGetValue(entry.Urls[0], out var read) && read.IsCompletedSuccessfully && read.Result is { } layers)
        {
            // An entry made from the tag list alone: the chart layer read is the one of the manifest fetched for it.
            digest = OciDigest.HexOfSha256(layers.Chart.Digest);
        }
        return new GateExpectations(entry.Metadata.Name, entry.Metadata.Version, CanonicalFileName: true,
            Digest: digest, Origin: entry.Urls.Count > 0 ? entry.Urls[0] : Location, Unlisted: entry.Urls.Count > 0 ? UnlistedBecause(entry.Urls[0]) : null);
    }

    // Why the signed tag map this source follows does not hold the chart a reference names as it is; null when it does, or
    // when no map is followed (the registry's live tags are then the list).
    private string? UnlistedBecause(string url)
    {
        if (_pinned is not { } pinned || !OciReference.TryParse(url, out OciReference? reference, out _) || reference.Tag is not { } tag || ChartOf(reference) is not { } chart)
        {
            return null;
        }
        string? signed = pinned.DigestOf(chart, tag);
        if (signed is null)
        {
            return $"{reference.WithoutReference.WithTag(tag)} is not in the signed index snapshot ({IndexSnapshot.TagsFileName}): pushed after the tags were last signed "
                + "(chartseal index sign adds it if its chart is trusted), or stored without chartseal push";
        }
        return reference.Digest is { } digest && digest != signed
            ? $"{reference.WithoutReference.WithTag(tag)} now holds manifest {digest}, but the signed index snapshot ({IndexSnapshot.TagsFileName}) names {signed} for it: the tag was moved after the tags were last signed"
            : null;
    }

    // The chart a reference of this namespace names (its repository's last component); null for another repository.
    private string? ChartOf(OciReference reference)
    {
        string prefix = Namespace.Repository.Length == 0 ? "" : Namespace.Repository + "/";
        return string.Equals(reference.Registry, Namespace.Registry, StringComparison.OrdinalIgnoreCase) && reference.Repository.StartsWith(prefix, StringComparison.Ordinal)
            && reference.Repository[prefix.Length..] is var chart && IsChartName(chart)
                ? chart
                : null;
    }

    /// <summary>
    /// The index entry for the manifest <paramref name="digest"/> that tag <paramref name="tag"/> of <paramref name="chart"/>
    /// holds: what <c>index sign</c> judges before it signs the tag (read by that digest, whatever the tag holds next).
    /// </summary>
    internal IndexEntry EntryForTag(string chart, string tag, string digest) => TagEntry(chart, tag, Namespace.Child(chart).WithTag(tag).WithDigest(digest));

    // An entry that names what a chart tag names: the chart, and the tag read as a version (the rest is read from its manifest).
    private static IndexEntry TagEntry(string chart, string tag, OciReference reference) => new()
    {
        Metadata = new ChartMetadata { ApiVersion = "v2", Name = chart, Version = VersionOfTag(tag)! },
        Urls = [reference.ToString()],
        Digest = "",
    };


    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsClient)
        {
            _client.Dispose();
        }
        base.Dispose(disposing);
    }

    private Task<HelmChartLayers?> LayersOfAsync(ChartLocation chart, CancellationToken cancellationToken) =>
        _charts.GetOrAdd(chart.Address, address => FetchLayersAsync(OciReference.Parse(address), cancellationToken));

    private async Task<HelmChartLayers?> FetchLayersAsync(OciReference reference, CancellationToken cancellationToken)
    {
        if (await _client.GetManifestAsync(Pinned(reference), cancellationToken).ConfigureAwait(false) is not { } response)
        {
            return null;
        }
        return HelmChartArtifact.ReadLayers(response.Parse(reference.ToString()), reference.ToString());
    }

    private async Task<IndexEntry?> ReadEntryAsync(string chart, string tag, StrongBox<long> indexBytes, CancellationToken cancellationToken)
    {
        OciReference reference = Namespace.Child(chart).WithTag(tag);
        string where = reference.ToString();
        if (await _client.GetManifestAsync(Pinned(reference), cancellationToken).ConfigureAwait(false) is not { } response)
        {
            // Deleted meanwhile; but a tag of the signed map stays in the catalogue: the registry withholds its manifest, and
            // pull and audit then say so (missing-archive) instead of silently offering or checking only the older versions.
            return _pinned is null ? null : new IndexEntry
            {
                Metadata = new ChartMetadata { ApiVersion = "v2", Name = chart, Version = VersionOfTag(tag)! },
                Urls = [where],
                Digest = "",
            };
        }
        OciManifest manifest;
        HelmChartLayers layers;
        try
        {
            manifest = response.Parse(where);
            layers = HelmChartArtifact.ReadLayers(manifest, where);
        }
        catch (ChartsealException)
        {
            return null; // not a Helm chart (an image, an index, another artifact)
        }
        // What the entry holds comes from the manifest and the config: their bytes together are what the index may hold.
        if (Interlocked.Add(ref indexBytes.Value, response.Content.Length + (layers.Config.Size <= MaxConfigSize ? layers.Config.Size : 0)) > MaxIndexBytes)
        {
            throw new ChartsealException(AddressOf(ChartIndex.FileName), $"its manifests and chart configs add up to more than the {MaxIndexBytes} byte limit of an index (at {where})");
        }
        // Pull and audit judge the very manifest the entry was made from.
        _charts.TryAdd(where, Task.FromResult<HelmChartLayers?>(layers));
        ChartMetadata metadata = layers.Config.Size <= MaxConfigSize
            ? TryReadConfig(await _client.GetBlobAsync(reference, layers.Config, cancellationToken).ConfigureAwait(false), where) ?? new ChartMetadata()
            : new ChartMetadata();
        metadata.Name = chart;
        metadata.Version = VersionOfTag(tag)!;
        if (metadata.ApiVersion.Length == 0)
        {
            metadata.ApiVersion = "v2";
        }
        string? created = manifest.Annotations is { } annotations && annotations.TryGetValue(OciAnnotations.Created, out string? at) ? at : null;
        return new IndexEntry
        {
            Metadata = metadata,
            Urls = [where],
            Created = created,
            Digest = OciDigest.HexOfSha256(layers.Chart.Digest) ?? "",
        };
    }

    // A chart tag of the pinned map is read by the digest the map gives (and checked against it), else by the tag; a
    // reference that names a digest (a moved tag's manifest, audited) is read by that digest.
    private OciReference Pinned(OciReference reference) =>
        _pinned is { } pinned && reference.Digest is null && reference.Tag is { } tag && ChartOf(reference) is { } chart
            && pinned.DigestOf(chart, tag) is { } digest
                ? reference.WithDigest(digest)
                : reference;

    /// <summary>The chart metadata of a Helm config blob (JSON, which is YAML), or null when it is not valid: only a catalogue's description.</summary>
    private static ChartMetadata? TryReadConfig(byte[] config, string where)
    {
        try
        {
            return ChartYaml.Parse(config, where + " (config)");
        }
        catch (ChartsealException)
        {
            return null;
        }
    }

    /// <summary>The version a tag names (<c>_</c> read as <c>+</c>) when it is a SemVer version, else null (<c>latest</c>, ...).</summary>
    private static string? VersionOfTag(string tag)
    {
        string version = OciReference.VersionForTag(tag);
        return SemanticVersion.TryParse(version, out _) ? version : null;
    }

    private static bool IsPlainArchiveName(string name) =>
        name.Length > ".tgz".Length && name.EndsWith(".tgz", StringComparison.Ordinal) && name == Path.GetFileName(name)
        && !name.StartsWith('.') && !name.Contains('\\', StringComparison.Ordinal) && !name.Any(char.IsControl);

    private static OciReference CheckNamespace(OciReference reference, string text) =>
        reference.Tag is null && reference.Digest is null
            ? reference
            : throw new ChartsealException(text, "is not a repository namespace: give oci://HOST/NAMESPACE, without a tag or digest (charts are found below it)");

    private const string NotAChartName = "is not a chart name (one lower-case path component, not " + OciTrustArtifact.RepositoryName + ")";

    private static readonly IReadOnlyList<string> TrustFileNames = TrustFiles.AllNames;

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();
}
