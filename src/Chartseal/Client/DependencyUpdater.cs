using System.Security.Cryptography;
using System.Text;
using Chartseal.IO;
using Chartseal.Compat;
using Chartseal.Fetch;
using Chartseal.Charts;

namespace Chartseal.Client;

/// <summary>
/// <c>package --dependency-update</c>: Helm's <c>downloader.Manager.Update</c>, which <c>helm package -u</c> runs
/// before packaging. Each dependency of Chart.yaml is resolved to one version, the archives are saved into
/// <c>charts/</c>, outdated archives there are removed, and Chart.lock is written when the resolution changed.
/// </summary>
/// <remarks>
/// <para>Repositories, as Helm reads them: an empty repository means a folder already in <c>charts/NAME</c>
/// (its version must satisfy the constraint); <c>file://PATH</c> (relative to the chart folder, or absolute) is a
/// chart folder, packaged into <c>charts/NAME-VERSION.tgz</c> if its version satisfies the constraint; an
/// <c>https://</c> URL (plain <c>http://</c> only with <see cref="DependencyUpdateOptions.AllowInsecureHttp"/>) is a
/// chart repository: its <c>index.yaml</c> is fetched, the newest version satisfying the constraint is taken and
/// its archive downloaded and saved under the last segment of its URL. Helm's repository aliases
/// (<c>@name</c>, <c>alias:name</c>, which refer to Helm's own <c>repositories.yaml</c>) and <c>oci://</c>
/// registries are refused with a message saying so.</para>
/// <para>Unlike Helm, a Chart.lock that is in sync with Chart.yaml's dependencies (its digest is Helm's digest of
/// them and of the locked versions) keeps its versions for repository dependencies: Helm's <c>package -u</c>
/// takes the newest matching version even then (and leaves the lock naming the old one). Changing the
/// dependencies in Chart.yaml, or deleting Chart.lock, resolves anew. Also unlike Helm, a downloaded archive
/// must have the SHA-256 the index lists and be a safe chart.</para>
/// </remarks>
public static class DependencyUpdater
{
    /// <summary>Updates the dependencies of the chart in <paramref name="chartDir"/>.</summary>
    /// <param name="chartDir">The chart folder (its <c>charts/</c> and Chart.lock are written).</param>
    /// <param name="options">Transport and packaging options; defaults when null.</param>
    /// <param name="now">The <c>generated</c> time of a new Chart.lock.</param>
    /// <param name="cancellationToken">Cancels the downloads.</param>
    /// <exception cref="ChartsealException">
    /// The chart cannot be loaded; a repository is not supported; a constraint is malformed; no version
    /// satisfies one (Helm's <c>can't get a valid version for N subchart(s): …</c>); a download fails or does
    /// not match its digest; Chart.lock is a symbolic link. Nothing is written before every dependency is in
    /// hand.
    /// </exception>
    public static async Task<DependencyUpdateResult> UpdateAsync(string chartDir, DependencyUpdateOptions? options, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chartDir);
        options ??= new DependencyUpdateOptions();
        if (!Directory.Exists(chartDir))
        {
            throw new ChartsealException(chartDir, File.Exists(chartDir) ? "only unpacked charts can be updated" : "no such chart folder");
        }
        string root = Path.GetFullPath(chartDir);
        var chart = ChartDirectory.Load(chartDir);
        if (chart.Metadata.Dependencies is not { } requirements)
        {
            return new DependencyUpdateResult([], [], [], false, false);
        }
        foreach (var d in requirements)
        {
            CheckRepository(d, root, chartDir, options);
        }

        var session = new Session(chartDir, root, options, cancellationToken);
        var old = chart.Lock;
        bool inSync = old?.Dependencies is not null && HashRequirements(requirements, old.Dependencies) == old.Digest;
        var locked = await session.ResolveAsync(requirements, inSync ? old!.Dependencies : null).ConfigureAwait(false);
        var saved = await session.FetchAllAsync(locked).ConfigureAwait(false);
        var deleted = await SaveAsync(root, saved, locked, cancellationToken).ConfigureAwait(false);

        string digest = HashRequirements(requirements, locked);
        bool writeLock = old is null || old.Digest != digest;
        if (writeLock)
        {
            string lockName = chart.Metadata.ApiVersion == "v1" ? "requirements.lock" : "Chart.lock";
            string lockPath = Path.Combine(root, lockName);
            if (new FileInfo(lockPath).LinkTarget is { } link)
            {
                throw new ChartsealException(chartDir, $"the {lockName} file is a symlink to \"{link}\"");
            }
            var lockFile = new ChartLock { Generated = GoTime.FormatUtc(now), Digest = digest, Dependencies = locked };
            await AtomicFile.WriteAllBytesAsync(lockPath, Encoding.UTF8.GetBytes(ChartYaml.SerializeLock(lockFile)), cancellationToken).ConfigureAwait(false);
        }
        return new DependencyUpdateResult(locked, [.. saved.Keys], deleted, writeLock, inSync && !writeLock);
    }

    /// <summary>
    /// Helm's <c>resolver.HashReq</c>: <c>sha256:</c> and the SHA-256 of Go's compact JSON of
    /// <c>[requirements, locked]</c>, the digest Chart.lock records.
    /// </summary>
    internal static string HashRequirements(IReadOnlyList<ChartDependency> requirements, IReadOnlyList<ChartDependency> locked)
    {
        var json = new GoJsonText(indented: false).StartArray().StartArray();
        foreach (var d in requirements)
        {
            ChartJson.WriteDependency(json, d);
        }
        json.EndArray().StartArray();
        foreach (var d in locked)
        {
            ChartJson.WriteDependency(json, d);
        }
        json.EndArray().EndArray();
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.ToString())));
    }

    private static void CheckRepository(ChartDependency d, string root, string chartDir, DependencyUpdateOptions options)
    {
        string repository = d.Repository;
        if (repository.Length == 0)
        {
            return;
        }
        if (repository.StartsWith("file://", StringComparison.Ordinal))
        {
            LocalPath(repository, root);
            return;
        }
        if (repository.StartsWith("oci://", StringComparison.Ordinal))
        {
            throw new ChartsealException(chartDir, $"dependency \"{d.Name}\": OCI registries ({repository}) are not supported by chartseal; use an https:// chart repository or a file:// path");
        }
        if (repository.StartsWith('@') || repository.StartsWith("alias:", StringComparison.Ordinal))
        {
            throw new ChartsealException(chartDir, $"dependency \"{d.Name}\": repository aliases ({repository}) name repositories in Helm's own configuration; write the repository's URL instead");
        }
        if (!Uri.TryCreate(repository, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ChartsealException(chartDir, $"dependency \"{d.Name}\": repository \"{repository}\" is not an http(s) URL or a file:// path");
        }
        CheckTransport(uri, options);
    }

    // The one plain-http rule of every download (FetchPolicy), checked before anything is fetched.
    private static void CheckTransport(Uri uri, DependencyUpdateOptions options) => new FetchPolicy(options.AllowInsecureHttp).Check(uri);

    // Helm's resolver.GetLocalPath: file://PATH, absolute or relative to the chart folder, must exist.
    private static string LocalPath(string repository, string root)
    {
        string path = repository["file://".Length..];
        string full = path.StartsWith('/') ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(root, path));
        if (!Directory.Exists(full) && !File.Exists(full))
        {
            throw new ChartsealException(repository, $"directory {full} not found");
        }
        return full;
    }

    private static VersionRange Constraint(ChartDependency d)
    {
        try
        {
            return VersionRange.Parse(d.Version ?? "");
        }
        catch (FormatException e)
        {
            throw new ChartsealException(null, $"dependency \"{d.Name}\" has an invalid version/constraint format: {e.Message}", e);
        }
    }

    private static string Quote(string? text) => "\"" + (text ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    // Helm's safeMoveDeps: the new archives replace their namesakes in charts/, and an archive there that is no
    // longer needed is removed (unless it is a chart a dependency without repository refers to). Files that
    // are not charts are left alone.
    private static async Task<IReadOnlyList<string>> SaveAsync(string root, IReadOnlyDictionary<string, byte[]> saved, List<ChartDependency> locked, CancellationToken cancellationToken)
    {
        string charts = Path.Combine(root, "charts");
        if (File.Exists(charts))
        {
            throw new ChartsealException(charts, "is not a directory");
        }
        Directory.CreateDirectory(charts);
        var existing = Directory.EnumerateFiles(charts).ToList();
        foreach (var (name, bytes) in saved)
        {
            await AtomicFile.WriteAllBytesAsync(Path.Combine(charts, name), bytes, cancellationToken).ConfigureAwait(false);
        }
        var local = locked.Where(d => d.Repository.Length == 0).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<string>();
        foreach (string file in existing.Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (saved.ContainsKey(name))
            {
                continue;
            }
            ChartArchiveContents contents;
            try
            {
                contents = ChartArchive.Read(await InputFile.ReadAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false), name);
            }
            catch (ChartsealException)
            {
                continue;
            }
            if (!local.Contains(contents.Metadata.Name))
            {
                File.Delete(file);
                deleted.Add(name);
            }
        }
        return deleted;
    }

    private sealed class Session(string chartDir, string root, DependencyUpdateOptions options, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, ChartIndex> _indexes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, RepositorySource> _sources = new(StringComparer.Ordinal);

        // Each dependency repository is read through the one repository seam (limits, timeouts, the plain-http rule).
        private RepositorySource SourceFor(string repository)
        {
            if (!_sources.TryGetValue(repository, out var source))
            {
                var policy = new FetchPolicy(options.AllowInsecureHttp) { Deadline = options.Deadline };
                string? canonical = ConfiguredRepository.CanonicalUrl(repository);
                if (canonical is not null && options.Repositories.FirstOrDefault(r => !r.IsOci && ConfiguredRepository.CanonicalUrl(r.Url) == canonical) is { } configured)
                {
                    policy = configured.WithTransport(policy);
                }
                _sources[repository] = source = RepositorySource.Open(repository, policy);
            }
            return source;
        }

        // Helm's resolver.Resolve, keeping the versions of an in-sync lock for repository dependencies.
        public async Task<List<ChartDependency>> ResolveAsync(List<ChartDependency> requirements, List<ChartDependency>? pins)
        {
            var locked = new List<ChartDependency>();
            var missing = new List<string>();
            foreach (var d in requirements)
            {
                var constraint = Constraint(d);
                if (d.Repository.Length == 0)
                {
                    LocalPath("file://charts/" + d.Name, root);
                    locked.Add(new ChartDependency { Name = d.Name, Repository = "", Version = d.Version });
                    continue;
                }
                if (d.Repository.StartsWith("file://", StringComparison.Ordinal))
                {
                    var version = VersionOf(ChartDirectory.Load(LocalPath(d.Repository, root)).Metadata);
                    if (constraint.Contains(version))
                    {
                        locked.Add(new ChartDependency { Name = d.Name, Repository = d.Repository, Version = version.Original });
                    }
                    else
                    {
                        missing.Add($"{Quote(d.Name)} (repository {Quote(d.Repository)}, version {Quote(d.Version)})");
                    }
                    continue;
                }
                var index = await IndexAsync(d.Repository).ConfigureAwait(false);
                if (!index.Entries.TryGetValue(d.Name, out var versions))
                {
                    throw new ChartsealException(chartDir, $"{d.Name} chart not found in repo {d.Repository}");
                }
                // The index is sorted newest first: the first version that satisfies the constraint is taken.
                var candidates = versions.Where(e => e.Urls.Count > 0 && SemanticVersion.TryParse(e.Metadata.Version, out var v) && constraint.Contains(v)).ToList();
                IndexEntry? chosen = candidates.FirstOrDefault();
                string? pinned = pins?.Find(p => p.Name == d.Name && p.Repository == d.Repository)?.Version;
                if (pinned is not null)
                {
                    chosen = candidates.Find(e => e.Metadata.Version == pinned)
                        ?? throw new ChartsealException(chartDir, $"Chart.lock pins {d.Name} {pinned}, which {d.Repository} no longer offers within \"{d.Version}\" (delete Chart.lock to resolve the dependencies anew)");
                }
                if (chosen is null)
                {
                    missing.Add($"{Quote(d.Name)} (repository {Quote(d.Repository)}, version {Quote(d.Version)})");
                    continue;
                }
                locked.Add(new ChartDependency { Name = d.Name, Repository = d.Repository, Version = chosen.Metadata.Version });
            }
            if (missing.Count > 0)
            {
                throw new ChartsealException(chartDir, $"can't get a valid version for {missing.Count} subchart(s): {string.Join(", ", missing)}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml");
            }
            return locked;
        }

        // Helm's downloadAll, into memory: nothing is written until every dependency is in hand.
        public async Task<Dictionary<string, byte[]>> FetchAllAsync(List<ChartDependency> locked)
        {
            var saved = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var downloaded = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dep in locked)
            {
                if (dep.Repository.Length == 0)
                {
                    string path = Path.Combine(root, "charts", dep.Name);
                    var version = VersionOf(ChartDirectory.Load(path).Metadata);
                    if (!Constraint(dep).Contains(version))
                    {
                        throw new ChartsealException(chartDir, $"dependency {dep.Name} at version {version.Original} does not satisfy the constraint {dep.Version}");
                    }
                    continue;
                }
                if (dep.Repository.StartsWith("file://", StringComparison.Ordinal))
                {
                    var loaded = ChartDirectory.Load(LocalPath(dep.Repository, root));
                    if (!Constraint(dep).Contains(VersionOf(loaded.Metadata)))
                    {
                        throw new ChartsealException(chartDir, $"can't get a valid version for dependency {dep.Name}");
                    }
                    var packaged = ChartPackager.Package(loaded, new PackageOptions { ModificationTime = options.ModificationTime, CheckDependencies = false });
                    saved[packaged.FileName] = packaged.Archive;
                    dep.Version = loaded.Metadata.Version;
                    continue;
                }
                var index = await IndexAsync(dep.Repository).ConfigureAwait(false);
                var entry = index.Entries[dep.Name].Find(e => e.Metadata.Version == dep.Version && e.Urls.Count > 0)!;
                Uri uri = Uri.TryCreate(entry.Urls[0], UriKind.Absolute, out Uri? absolute)
                    ? absolute
                    : new Uri(new Uri(dep.Repository.TrimEnd('/') + "/"), entry.Urls[0]);
                CheckTransport(uri, options);
                if (!downloaded.Add(uri.AbsoluteUri))
                {
                    continue;
                }
                string fileName = Uri.UnescapeDataString(uri.Segments[^1]);
                if (fileName.Length == 0 || fileName is "." or ".." || fileName.IndexOfAny(['/', '\\']) >= 0)
                {
                    throw new ChartsealException(uri.ToString(), "the archive's URL does not end in a file name");
                }
                byte[] bytes = await SourceFor(dep.Repository).ReadArchiveAsync(new ChartLocation(uri.ToString(), fileName), null, null, cancellationToken).ConfigureAwait(false)
                    ?? throw new ChartsealException(uri.ToString(), $"could not download {dep.Name} {dep.Version}: the server has no such file");
                string sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
                if (entry.Digest.Length > 0 && !string.Equals(entry.Digest, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ChartsealException(uri.ToString(), $"the archive's SHA-256 is {sha256}, not the digest {entry.Digest} that {dep.Repository} lists");
                }
                var contents = ChartArchive.Read(bytes, fileName);
                if (contents.Metadata.Name != dep.Name || contents.Metadata.Version != dep.Version)
                {
                    throw new ChartsealException(uri.ToString(), $"the archive holds {contents.Metadata.Name} {contents.Metadata.Version}, not {dep.Name} {dep.Version}");
                }
                saved[fileName] = bytes;
            }
            return saved;
        }

        private async Task<ChartIndex> IndexAsync(string repository)
        {
            if (_indexes.TryGetValue(repository, out var cached))
            {
                return cached;
            }
            var source = SourceFor(repository);
            string where = source.AddressOf(ChartIndex.FileName);
            byte[] bytes = await source.ReadIndexAsync(null, null, cancellationToken).ConfigureAwait(false) is FetchOutcome.Downloaded d
                ? d.Content
                : throw new ChartsealException(where, $"looks like \"{repository}\" is not a valid chart repository or cannot be reached: no index.yaml");
            ChartIndex index;
            using (var stream = new MemoryStream(bytes, writable: false))
            {
                index = ChartIndex.Load(stream, where);
            }
            index.SortVersions();
            return _indexes[repository] = index;
        }

        private SemanticVersion VersionOf(ChartMetadata metadata) =>
            SemanticVersion.TryParse(metadata.Version, out var version, out string? error)
                ? version
                : throw new ChartsealException(chartDir, $"invalid version {metadata.Version} for dependency {metadata.Name}: {error}");
    }
}
