using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Chartseal.Charts;
using Chartseal.Client;

/// <summary>The client's large-index path: a generated Helm index of N chart versions, streamed into a <see cref="ChartIndex"/>.</summary>
internal static class IndexBench
{
    private const int VersionsPerChart = 10;

    public static int Generate(Options o)
    {
        string path = Path.GetFullPath(o.Require("out"));
        int entries = o.Int("entries", 15000);
        var sw = Stopwatch.StartNew();
        var index = new ChartIndex { Generated = "2026-11-24T18:00:00.123456789Z" };
        for (int i = 0; i < entries; i++)
        {
            int chart = i / VersionsPerChart;
            string name = $"app-{chart:D5}";
            string version = $"{1 + (i % VersionsPerChart) / 4}.{i % 4}.{chart % 7}";
            string digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + version)));
            index.Add(new IndexEntry
            {
                Metadata = new ChartMetadata
                {
                    ApiVersion = "v2",
                    Name = name,
                    Version = version,
                    AppVersion = $"{chart % 5}.{i % 13}.{i % 3}",
                    KubeVersion = ">=1.23.0-0",
                    Type = "application",
                    Description = $"A Helm chart for {name}, a web application",
                    Home = $"https://{name}.example.com",
                    Icon = $"https://{name}.example.com/icon.svg",
                    Keywords = ["web", "database", "cache", name, $"team-{chart % 40}"],
                    Sources = [$"https://github.com/example/{name}"],
                    Maintainers =
                    [
                        new ChartMaintainer { Name = "Jane Doe", Email = "jane@example.com" },
                        new ChartMaintainer { Name = "Max Mustermann", Email = "max@example.com" },
                    ],
                    Dependencies =
                    [
                        new ChartDependency { Name = "postgresql", Version = "12.x.x", Repository = "https://charts.example.com/stable", Condition = "postgresql.enabled" },
                        new ChartDependency { Name = "redis", Version = "~17.3", Repository = "https://charts.example.com/stable", Condition = "redis.enabled" },
                    ],
                    Annotations = new Dictionary<string, string>
                    {
                        ["category"] = "Infrastructure",
                        ["licenses"] = "Apache-2.0",
                    },
                },
                Urls = [$"charts/{name}-{version}.tgz"],
                Created = "2026-11-24T18:00:00.123456789Z",
                Digest = digest,
            });
        }
        index.SortVersions();
        File.WriteAllText(path, index.Serialize(), new UTF8Encoding(false));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {path}: {index.Count} entries ({index.Entries.Count} charts), {new FileInfo(path).Length / (1024.0 * 1024):F1} MiB, in {sw.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    public static async Task<int> ParseAsync(Options o)
    {
        string path = Path.GetFullPath(o.Require("file"));
        int rounds = o.Int("rounds", 3);
        bool search = o.Int("search", 1) != 0;
        var inv = CultureInfo.InvariantCulture;

        // The first load in a fresh process is what a CLI run pays (JIT included here; the CLI is NativeAOT).
        var sw = Stopwatch.StartNew();
        ChartIndex index = await LoadLikeTheCacheAsync(path);
        double coldMs = sw.Elapsed.TotalMilliseconds;
        string gcs = $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}";
        long peakAfterCold = Process.GetCurrentProcess().PeakWorkingSet64;

        double best = rounds == 0 ? coldMs : double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            sw.Restart();
            index = await LoadLikeTheCacheAsync(path);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }

        // Search through the repository cache: the first one streams index.yaml and writes the summary (what repo update
        // does), the next ones read the summary (what every search and pull does afterwards).
        double firstSearchMs = 0, searchMs = 0;
        int hitCount = 0;
        if (search)
        {
            string home = Path.Combine(Path.GetTempPath(), "chartseal-index-bench-" + Guid.NewGuid().ToString("N")[..8]);
            var client = ClientHome.Under(home);
            Directory.CreateDirectory(client.CacheFor("bench"));
            File.Copy(path, Path.Combine(client.CacheFor("bench"), ChartIndex.FileName));
            var repository = new ConfiguredRepository("bench", "https://charts.example.com", new string('A', 40), false, false);
            sw.Restart();
            var hits = await ChartSearch.SearchAsync(client, [repository], new ChartSearchQuery("team-7"));
            firstSearchMs = sw.Elapsed.TotalMilliseconds;
            searchMs = double.MaxValue;
            for (int r = 0; r < rounds; r++)
            {
                sw.Restart();
                hits = await ChartSearch.SearchAsync(client, [repository], new ChartSearchQuery("team-7"));
                searchMs = Math.Min(searchMs, sw.Elapsed.TotalMilliseconds);
            }
            Directory.Delete(home, recursive: true);
            hitCount = hits.Hits.Count;
        }

        Process.GetCurrentProcess().Refresh();
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine(string.Create(inv, $"index: {new FileInfo(path).Length / (1024.0 * 1024):F1} MiB, {index.Count} entries, {index.Entries.Count} charts"));
        Console.WriteLine(string.Create(inv, $"index.yaml: first load (cold, JIT) {coldMs:F0} ms (garbage collections gen0/1/2: {gcs}); warm load {best:F0} ms (best of {rounds})"));
        if (search)
        {
            Console.WriteLine(string.Create(inv, $"search 'team-7' through the cache: {firstSearchMs:F0} ms when it parses index.yaml and writes the summary, {searchMs:F0} ms from the summary (best of {rounds}); {hitCount} charts"));
        }
        Console.WriteLine(string.Create(inv, $"peak working set: {peakAfterCold / (1024.0 * 1024):F0} MiB after the first load, {peak / (1024.0 * 1024):F0} MiB at the end"));
        Console.WriteLine(string.Create(inv, $"RESULT entries={index.Count} cold_ms={coldMs:F0} warm_ms={best:F0} first_search_ms={firstSearchMs:F0} search_ms={searchMs:F0} peak_mib={peak / (1024.0 * 1024):F0}"));
        return 0;
    }

    private static async Task<ChartIndex> LoadLikeTheCacheAsync(string path)
    {
        var index = await ChartIndex.LoadAsync(path);
        index.SortVersions();
        return index;
    }
}
