using Chartseal.Compat;

namespace Chartseal.Charts;

/// <summary>Chart metadata as Helm's Go structs are written by encoding/json (field order, omitempty).</summary>
internal static class ChartJson
{
    /// <summary>Helm's <c>chart.Metadata</c> as encoding/json writes it: struct order, empty fields left out.</summary>
    public static void WriteMetadata(GoJsonText json, ChartMetadata md)
    {
        void Text(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                json.Member(key, value);
            }
        }
        void List(string key, List<string>? values)
        {
            if (values is { Count: > 0 })
            {
                json.Name(key).Value(values);
            }
        }
        Text("name", md.Name);
        Text("home", md.Home);
        List("sources", md.Sources);
        Text("version", md.Version);
        Text("description", md.Description);
        List("keywords", md.Keywords);
        if (md.Maintainers is { Count: > 0 } maintainers)
        {
            json.Name("maintainers").StartArray();
            foreach (var m in maintainers)
            {
                json.StartObject();
                Text("name", m.Name);
                Text("email", m.Email);
                Text("url", m.Url);
                json.EndObject();
            }
            json.EndArray();
        }
        Text("icon", md.Icon);
        Text("apiVersion", md.ApiVersion);
        Text("condition", md.Condition);
        Text("tags", md.Tags);
        Text("appVersion", md.AppVersion);
        if (md.Deprecated)
        {
            json.Name("deprecated").Bool(true);
        }
        if (md.Annotations is { Count: > 0 } annotations)
        {
            json.Name("annotations").Value(annotations);
        }
        Text("kubeVersion", md.KubeVersion);
        if (md.Dependencies is { Count: > 0 } dependencies)
        {
            json.Name("dependencies").StartArray();
            foreach (var d in dependencies)
            {
                WriteDependency(json, d);
            }
            json.EndArray();
        }
        Text("type", md.Type);
    }

    /// <summary>Helm's <c>chart.Dependency</c> as encoding/json writes it (<c>name</c> and <c>repository</c> always).</summary>
    public static void WriteDependency(GoJsonText json, ChartDependency d)
    {
        json.StartObject().Member("name", d.Name ?? "");
        if (!string.IsNullOrEmpty(d.Version))
        {
            json.Member("version", d.Version);
        }
        json.Member("repository", d.Repository ?? "");
        if (!string.IsNullOrEmpty(d.Condition))
        {
            json.Member("condition", d.Condition);
        }
        if (d.Tags is { Count: > 0 } tags)
        {
            json.Name("tags").Value(tags);
        }
        if (d.Enabled == true)
        {
            json.Name("enabled").Bool(true);
        }
        if (d.ImportValues is { Count: > 0 } imports)
        {
            json.Name("import-values").Value(imports);
        }
        if (!string.IsNullOrEmpty(d.Alias))
        {
            json.Member("alias", d.Alias);
        }
        json.EndObject();
    }
}
