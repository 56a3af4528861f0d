namespace Chartseal.Charts;

/// <summary>
/// Turns a chart's file list (from a folder walk or an archive) into a <see cref="LoadedChart"/>, following
/// Helm's <c>loader.LoadFiles</c>: classify each path, parse Chart.yaml / Chart.lock, validate, and load the
/// subcharts found under <c>charts/</c>.
/// </summary>
internal static class ChartLoader
{
    /// <summary>Subcharts nested deeper than this are refused (archives inside archives...).</summary>
    public const int MaxSubchartDepth = 10;

    public static LoadedChart FromFiles(IReadOnlyList<ChartFile> rawFiles, string sourceName, int depth = 0)
    {
        var files = rawFiles.Select(f => new ChartFile(f.Path, StripBom(f.Bytes))).ToList();
        string Source(string path) => $"{sourceName}/{path}";

        var chartYaml = files.Find(f => f.Path == "Chart.yaml")
            ?? throw new ChartsealException(sourceName, "Chart.yaml file is missing");
        var metadata = ChartYaml.Parse(chartYaml.Bytes.Span, Source("Chart.yaml"));
        bool v1 = metadata.ApiVersion == "v1";

        ChartLock? lockFile = null;
        ChartFile? values = null, schema = null;
        var templates = new List<ChartFile>();
        var others = new List<ChartFile>();
        var subchartFiles = new Dictionary<string, List<ChartFile>>(StringComparer.Ordinal);
        var subchartNames = new List<string>();

        foreach (var file in files)
        {
            switch (file.Path)
            {
                case "Chart.yaml":
                    break;
                case "Chart.lock":
                    lockFile = ChartYaml.ParseLock(file.Bytes.Span, Source(file.Path));
                    break;
                case "values.yaml":
                    BoundedYamlReader.CheckSyntax(file.Bytes.Span, Source(file.Path));
                    values = file;
                    break;
                case "values.schema.json":
                    schema = file;
                    break;
                case "requirements.yaml":
                    // Deprecated v1 dependency list: merged into the metadata; the file stays in v1 charts.
                    MergeRequirements(metadata, file.Bytes.Span, Source(file.Path));
                    if (v1)
                    {
                        others.Add(file);
                    }
                    break;
                case "requirements.lock":
                    lockFile = ChartYaml.ParseLock(file.Bytes.Span, Source(file.Path));
                    if (v1)
                    {
                        others.Add(file);
                    }
                    break;
                case var p when p.StartsWith("templates/", StringComparison.Ordinal):
                    templates.Add(file);
                    break;
                case var p when p.StartsWith("charts/", StringComparison.Ordinal):
                    if (p.EndsWith(".prov", StringComparison.Ordinal))
                    {
                        others.Add(file);
                        break;
                    }
                    string rest = p["charts/".Length..];
                    string name = rest.Split('/')[0];
                    if (!subchartFiles.TryGetValue(name, out var group))
                    {
                        subchartFiles[name] = group = [];
                        subchartNames.Add(name);
                    }
                    group.Add(new ChartFile(rest, file.Bytes));
                    break;
                default:
                    others.Add(file);
                    break;
            }
        }

        ChartYaml.Validate(metadata, Source("Chart.yaml"));

        var subcharts = new List<(string Source, LoadedChart Chart)>();
        foreach (string name in subchartNames)
        {
            // Helm drops entries of charts/ starting with '_' or '.'.
            if (name.StartsWith('_') || name.StartsWith('.'))
            {
                continue;
            }
            if (depth >= MaxSubchartDepth)
            {
                throw new ChartsealException(sourceName, $"subcharts are nested more than {MaxSubchartDepth} levels deep");
            }
            subcharts.Add((name, LoadSubchart(name, subchartFiles[name], metadata.Name, sourceName, depth)));
        }
        subcharts.Sort((a, b) =>
        {
            int c = string.CompareOrdinal(a.Chart.Metadata.Name, b.Chart.Metadata.Name);
            return c != 0 ? c : string.CompareOrdinal(a.Source, b.Source);
        });
        for (int i = 1; i < subcharts.Count; i++)
        {
            if (subcharts[i].Chart.Metadata.Name == subcharts[i - 1].Chart.Metadata.Name)
            {
                throw new ChartsealException(sourceName,
                    $"charts/{subcharts[i - 1].Source} and charts/{subcharts[i].Source} are both named \"{subcharts[i].Chart.Metadata.Name}\"");
            }
        }

        var ordered = new List<ChartFile>();
        if (values is not null)
        {
            ordered.Add(values);
        }
        if (schema is not null)
        {
            ordered.Add(schema);
        }
        ordered.AddRange(templates);
        ordered.AddRange(others);
        return new LoadedChart(metadata, lockFile, ordered, subcharts.Select(s => s.Chart).ToList());
    }

    private static LoadedChart LoadSubchart(string name, List<ChartFile> group, string parentName, string sourceName, int depth)
    {
        string subSource = $"{sourceName}/charts/{name}";
        try
        {
            if (Path.GetExtension(name) == ".tgz")
            {
                if (group.Count != 1 || group[0].Path != name)
                {
                    throw new ChartsealException(subSource, $"expected a chart archive, got \"{group[0].Path}\"");
                }
                var contents = ChartArchive.Read(group[0].Bytes, subSource);
                return FromFiles(contents.Files.Select(f => new ChartFile(f.Path, f.Bytes)).ToList(), subSource, depth + 1);
            }
            // A folder: strip "name/" and ignore a stray file directly in charts/ (then Chart.yaml is missing).
            var files = group.Where(f => f.Path.Contains('/')).Select(f => new ChartFile(f.Path[(f.Path.IndexOf('/') + 1)..], f.Bytes)).ToList();
            return FromFiles(files, subSource, depth + 1);
        }
        catch (ChartsealException ex)
        {
            throw new ChartsealException(sourceName, $"error unpacking subchart {name} in {parentName}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Applies a legacy requirements.yaml. Helm unmarshals the whole file over the metadata, so any Chart.yaml
    /// key written there would win; only <c>dependencies</c>, the one key such files carry, is accepted (any
    /// other Chart.yaml field is refused).
    /// </summary>
    public static void MergeRequirements(ChartMetadata metadata, ReadOnlySpan<byte> yaml, string sourceName)
    {
        var dependencies = ChartYaml.ParseRequirements(StripBom(yaml), sourceName, out bool present);
        if (present)
        {
            metadata.Dependencies = dependencies;
        }
    }

    private static ReadOnlySpan<byte> StripBom(ReadOnlySpan<byte> bytes) => bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;

    private static ReadOnlyMemory<byte> StripBom(ReadOnlyMemory<byte> bytes) => bytes.Span.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
}
