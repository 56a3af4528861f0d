using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Chartseal.Tests.Support;

/// <summary>
/// A strict reader of Prometheus' text exposition format (0.0.4), for tests of <c>/metrics</c>: every line must be a
/// <c># HELP</c>, a <c># TYPE</c> (once per family, before its samples), another comment, a blank line, or a sample
/// <c>name{label="value",...} value [timestamp]</c> of a declared family, with valid names, escapes and numbers, no
/// series twice, and histograms whose buckets only grow and end in <c>le="+Inf"</c> equal to their <c>_count</c>.
/// Anything else throws <see cref="FormatException"/> naming the line.
/// </summary>
public sealed partial class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText(List<Sample> samples, Dictionary<string, string> types)
    {
        Samples = samples;
        FamilyTypes = types;
    }

    /// <summary>One sample line.</summary>
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>The samples, in order.</summary>
    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Each family's declared type.</summary>
    public IReadOnlyDictionary<string, string> FamilyTypes { get; }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/> (0 when none).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        Matching(name, labels).Sum(s => s.Value);

    /// <summary>The one sample named <paramref name="name"/> with these labels among its own.</summary>
    public double Single(string name, params (string Label, string Value)[] labels) =>
        Assert.Single(Matching(name, labels)).Value;

    /// <summary>Whether any sample is named <paramref name="name"/> (with these labels among its own).</summary>
    public bool Has(string name, params (string Label, string Value)[] labels) => Matching(name, labels).Any();

    private IEnumerable<Sample> Matching(string name, (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value));

    /// <summary>Parses and checks a scrape.</summary>
    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition does not end with a line feed");
        }
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new HashSet<string>(StringComparer.Ordinal);
        var withSamples = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length - 1; i++)
        {
            string line = lines[i];
            int number = i + 1;
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                var meta = MetaLine().Match(line);
                if (!meta.Success)
                {
                    if (line.StartsWith("# HELP", StringComparison.Ordinal) || line.StartsWith("# TYPE", StringComparison.Ordinal))
                    {
                        throw Error(number, line, "a malformed HELP or TYPE line");
                    }
                    continue; // a plain comment
                }
                string family = meta.Groups["name"].Value;
                string rest = meta.Groups["rest"].Value;
                if (meta.Groups["kind"].Value == "TYPE")
                {
                    if (!Types.Contains(rest))
                    {
                        throw Error(number, line, $"unknown type \"{rest}\"");
                    }
                    if (withSamples.Contains(family) || !types.TryAdd(family, rest))
                    {
                        throw Error(number, line, "a TYPE after the family's samples, or a second TYPE");
                    }
                }
                else
                {
                    Unescape(rest, help: true, number, line);
                    if (!helps.Add(family))
                    {
                        throw Error(number, line, "a second HELP");
                    }
                }
                continue;
            }
            var sample = ParseSample(line, number);
            string owner = FamilyOf(sample.Name, types) ?? throw Error(number, line, $"a sample of {sample.Name}, whose family has no TYPE line before it");
            withSamples.Add(owner);
            if (types[owner] == "histogram" && sample.Name == owner + "_bucket" && !sample.Labels.ContainsKey("le"))
            {
                throw Error(number, line, "a histogram bucket without le");
            }
            string key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!series.Add(key))
            {
                throw Error(number, line, "the same series twice");
            }
            samples.Add(sample);
        }
        CheckHistograms(samples, types);
        return new PrometheusText(samples, types);
    }

    private static string? FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name))
        {
            return name;
        }
        foreach (string suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type)
                && (type == "histogram" || (type == "summary" && suffix != "_bucket")))
            {
                return name[..^suffix.Length];
            }
        }
        return null;
    }

    private static Sample ParseSample(string line, int number)
    {
        var name = MetricName().Match(line);
        if (!name.Success)
        {
            throw Error(number, line, "not a sample (no metric name)");
        }
        int at = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (line[at] != '}')
            {
                var label = LabelName().Match(line, at);
                if (!label.Success || label.Index != at || line.Length <= at + label.Length + 1 || line[at + label.Length] != '=' || line[at + label.Length + 1] != '"')
                {
                    throw Error(number, line, $"a malformed label at column {at + 1}");
                }
                at += label.Length + 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (at >= line.Length)
                    {
                        throw Error(number, line, "an unterminated label value");
                    }
                    char c = line[at++];
                    if (c == '"')
                    {
                        break;
                    }
                    if (c == '\\')
                    {
                        char escaped = at < line.Length ? line[at++] : throw Error(number, line, "a dangling escape");
                        value.Append(escaped switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw Error(number, line, $"an unknown escape \\{escaped}"),
                        });
                        continue;
                    }
                    value.Append(c);
                }
                if (!labels.TryAdd(label.Value, value.ToString()))
                {
                    throw Error(number, line, $"the label {label.Value} twice");
                }
                if (line[at] == ',')
                {
                    at++;
                }
                else if (line[at] != '}')
                {
                    throw Error(number, line, $"a malformed label list at column {at + 1}");
                }
            }
            at++;
        }
        if (at >= line.Length || line[at] != ' ')
        {
            throw Error(number, line, "no space before the value");
        }
        string[] fields = line[(at + 1)..].Split(' ');
        if (fields.Length is < 1 or > 2)
        {
            throw Error(number, line, "not a value and an optional timestamp");
        }
        double sampleValue = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            var v => throw Error(number, line, $"\"{v}\" is not a number"),
        };
        if (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw Error(number, line, $"\"{fields[1]}\" is not a timestamp");
        }
        return new Sample(name.Value, labels, sampleValue);
    }

    private static void CheckHistograms(List<Sample> samples, Dictionary<string, string> types)
    {
        foreach (var (family, _) in types.Where(t => t.Value == "histogram"))
        {
            var buckets = samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)));
            foreach (var group in buckets)
            {
                double previous = 0;
                foreach (var bucket in group)
                {
                    if (bucket.Value < previous)
                    {
                        throw new FormatException($"{family}{{{group.Key}}}: bucket le={bucket.Labels["le"]} is below the one before it");
                    }
                    previous = bucket.Value;
                }
                var last = group.Last();
                if (last.Labels["le"] != "+Inf")
                {
                    throw new FormatException($"{family}{{{group.Key}}}: the last bucket is not le=\"+Inf\"");
                }
                var count = samples.SingleOrDefault(s => s.Name == family + "_count"
                    && string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) == group.Key);
                if (count is null || count.Value != last.Value)
                {
                    throw new FormatException($"{family}{{{group.Key}}}: _count is not the +Inf bucket's {last.Value}");
                }
            }
        }
    }

    private static string Unescape(string text, bool help, int number, string line)
    {
        var result = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }
            if (++i >= text.Length || !(text[i] == '\\' || text[i] == 'n' || (!help && text[i] == '"')))
            {
                throw Error(number, line, "an unknown escape in HELP");
            }
            result.Append(text[i] == 'n' ? '\n' : text[i]);
        }
        return result.ToString();
    }

    private static FormatException Error(int number, string line, string why) => new($"line {number}: {why}: {line}");

    [GeneratedRegex("^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex MetaLine();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();
}
