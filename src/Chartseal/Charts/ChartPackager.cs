using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Chartseal.Compat;

namespace Chartseal.Charts;

/// <summary>
/// Packages a chart folder into a deterministic <c>.tgz</c> with Helm's layout: the same sources give the
/// same bytes on every run and machine.
/// </summary>
/// <remarks>
/// Layout (Helm's Save): a top folder named after the chart holding <c>Chart.yaml</c> (re-serialised with
/// <see cref="ChartYaml.Serialize(ChartMetadata)"/>, without dependencies for apiVersion v1), <c>Chart.lock</c>
/// (apiVersion v2 only, re-serialised), <c>values.yaml</c>, <c>values.schema.json</c> (must be valid JSON),
/// templates, other files, then each subchart under <c>charts/&lt;name&gt;/</c>, ordered by name. Entries are
/// regular files only (no folders), mode 0644, uid/gid 0, empty user and group names, all with one
/// modification time, with the headers Go's archive/tar writes for Helm (<see cref="GoTarWriter"/>): USTAR, or
/// a PAX <c>path</c> record for a path that is not ASCII or does not fit USTAR's name and prefix fields. The tar
/// stream is therefore the one Helm 4 writes for the same files and times; it ends with two zero blocks.
/// Gzip uses zlib level 6 with a fixed header (MTIME 0,
/// XFL 0, OS 255). The bytes are not Helm's own (Helm uses Go's deflate and adds a gzip comment), and are
/// stable for a given zlib implementation; to compare a rebuild across toolchains, compare contents with
/// <see cref="ChartArchive.FindFirstDifference"/>.
/// </remarks>
public static class ChartPackager
{
    /// <summary>
    /// The entry time used when no <see cref="PackageOptions.ModificationTime"/> is given: 1980-01-01T00:00:00Z,
    /// a fixed value (the one reproducible-build tools commonly use) so that output never depends on file times.
    /// </summary>
    public static readonly DateTimeOffset DefaultModificationTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const UnixFileMode FileMode0644 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Loads <paramref name="chartDir"/> with <see cref="ChartDirectory.Load"/> and packages it.</summary>
    /// <exception cref="ChartsealException">
    /// Loading fails, the version override is not SemVer, a dependency declared in Chart.yaml is not in
    /// <c>charts/</c> (Helm's <c>found in Chart.yaml, but missing in charts/ directory: NAME, …</c>), or
    /// values.schema.json is not JSON.
    /// </exception>
    public static PackagedChart Package(string chartDir, PackageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chartDir);
        return Package(ChartDirectory.Load(chartDir), options, chartDir);
    }

    /// <summary>Packages an already loaded chart (its metadata is updated with the overrides).</summary>
    /// <inheritdoc cref="Package(string, PackageOptions?)"/>
    public static PackagedChart Package(LoadedChart chart, PackageOptions? options = null) =>
        Package(chart, options, chart?.Metadata.Name ?? "chart");

    private static PackagedChart Package(LoadedChart chart, PackageOptions? options, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(chart);
        options ??= new PackageOptions();
        var metadata = chart.Metadata;
        if (!string.IsNullOrEmpty(options.Version))
        {
            metadata.Version = CheckSemVer(options.Version, "version", sourceName);
        }
        // Helm sets appVersion as given and never validates it (an empty value changes nothing).
        if (!string.IsNullOrEmpty(options.AppVersion))
        {
            metadata.AppVersion = options.AppVersion;
        }
        ChartYaml.Validate(metadata, $"{sourceName}/Chart.yaml");
        if (options.CheckDependencies)
        {
            CheckDependencies(chart, sourceName);
        }

        var time = options.ModificationTime ?? DefaultModificationTime;
        // USTAR holds whole seconds since 1970 in 11 octal digits.
        time = DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
        if (time.ToUnixTimeSeconds() is < 0 or > GoTarWriter.MaxModificationTime)
        {
            throw new ChartsealException(sourceName, $"modification time {time:O} cannot be stored in a tar archive");
        }
        string? generated = options.ModificationTime is null ? null : GoTime.FormatUtc(time);

        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = 6 }, leaveOpen: true))
        {
            var tar = new GoTarWriter(gzip);
            WriteChart(tar, chart, metadata.Name + "/", "", time.ToUnixTimeSeconds(), generated, sourceName);
            tar.Finish();
        }
        byte[] archive = output.ToArray();
        // Fixed header: MTIME 0 (already), XFL 0, OS 255 ("unknown", as Helm): zlib's OS byte varies by platform.
        Array.Clear(archive, 4, 5);
        archive[9] = 0xFF;
        return new PackagedChart(metadata, $"{metadata.Name}-{metadata.Version}.tgz", archive, chart.Links);
    }

    /// <summary>
    /// Helm's <c>CheckDependencies</c> (run by <c>helm package</c> and <c>helm install</c>): every dependency that
    /// Chart.yaml (or requirements.yaml) declares must be a subchart in <c>charts/</c>, matched by chart name
    /// only (not alias, version or condition), else the chart cannot be installed.
    /// </summary>
    private static void CheckDependencies(LoadedChart chart, string sourceName)
    {
        var present = chart.Subcharts.Select(s => s.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var missing = (chart.Metadata.Dependencies ?? []).Select(d => d.Name).Where(name => !present.Contains(name)).ToList();
        if (missing.Count > 0)
        {
            throw new ChartsealException(sourceName, "found in Chart.yaml, but missing in charts/ directory: " + string.Join(", ", missing));
        }
    }

    private static string CheckSemVer(string value, string what, string sourceName) =>
        SemanticVersion.TryParse(value, out _, out string? error)
            ? value
            : throw new ChartsealException(sourceName, $"invalid {what} \"{value}\": {error}");

    // prefix: the chart's folder in the archive (NAME/, NAME/charts/SUB/); sourcePrefix: the same folder below
    // sourceName (the chart folder), for error messages.
    private static void WriteChart(GoTarWriter tar, LoadedChart chart, string prefix, string sourcePrefix, long time, string? generated, string sourceName)
    {
        var md = chart.Metadata;
        tar.WriteFile(prefix + "Chart.yaml", Encoding.UTF8.GetBytes(ChartYaml.Serialize(md, includeDependencies: md.ApiVersion != "v1")), time);
        if (md.ApiVersion == "v2" && chart.Lock is { } lockFile)
        {
            var written = generated is null ? lockFile : new ChartLock { Generated = generated, Digest = lockFile.Digest, Dependencies = lockFile.Dependencies };
            tar.WriteFile(prefix + "Chart.lock", Encoding.UTF8.GetBytes(ChartYaml.SerializeLock(written)), time);
        }
        foreach (var file in chart.Files)
        {
            if (file.Path == "values.schema.json")
            {
                CheckJson(file, $"{sourceName}/{sourcePrefix}{file.Path}");
            }
            tar.WriteFile(prefix + file.Path, file.Bytes.Span, time);
        }
        foreach (var sub in chart.Subcharts)
        {
            WriteChart(tar, sub, $"{prefix}charts/{sub.Metadata.Name}/", $"{sourcePrefix}charts/{sub.Metadata.Name}/", time, generated, sourceName);
        }
    }

    private static void CheckJson(ChartFile file, string name)
    {
        try
        {
            using var _ = JsonDocument.Parse(file.Bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new ChartsealException(name, $"invalid JSON in values.schema.json: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads <c>SOURCE_DATE_EPOCH</c>: null when unset or empty, else the UTC time of that many seconds since 1970.
    /// </summary>
    /// <exception cref="ChartsealException">The value is not an integer &gt;= 0 (<c>invalid SOURCE_DATE_EPOCH</c>).</exception>
    public static DateTimeOffset? SourceDateEpochFromEnvironment() =>
        ParseSourceDateEpoch(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"));

    internal static DateTimeOffset? ParseSourceDateEpoch(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new ChartsealException(null, $"invalid SOURCE_DATE_EPOCH: \"{value}\" is not a whole number of seconds >= 0");
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }
}
