namespace Chartseal.Server;

/// <summary>
/// ChartMuseum's command-line flags that <c>chartseal serve</c> spells otherwise or does not need
/// (docs/chartmuseum-migration.md): typed out of habit, they get one line saying what to give instead, rather than the
/// parser's "Unrecognized command or argument". (ChartMuseum's environment variables are read as they are: ServeSettings.)
/// </summary>
internal static class ChartMuseumFlags
{
    private const string Listen = "chartseal serve takes --listen http://HOST:PORT, and reads ChartMuseum's PORT and LISTEN_HOST variables";
    private const string Folder = "chartseal serve serves a local folder, given as its argument: chartseal serve DIR, and reads STORAGE=local and STORAGE_LOCAL_ROOTDIR; copy charts in object storage down first";
    private const string Tokens = "chartseal serve takes static bearer tokens from --upload-token-file FILE; ChartMuseum's token service is not supported";
    private const string Index = "chartseal serve needs no index cache: index.yaml is written at each upload and served from memory";

    private static readonly Dictionary<string, string> Instead = new(StringComparer.Ordinal)
    {
        ["--port"] = Listen,
        ["--listen-host"] = Listen,
        ["--storage"] = Folder,
        ["--storage-local-rootdir"] = Folder,
        ["--bearer-auth"] = Tokens,
        ["--auth-realm"] = Tokens,
        ["--auth-service"] = Tokens,
        ["--auth-cert-path"] = Tokens,
        ["--auth-anonymous-get"] = "chartseal serve leaves reads open unless --require-auth-for-reads",
        ["--enable-metrics"] = "chartseal serve serves /metrics unless --disable-metrics",
        ["--log-json"] = "chartseal serve always logs JSON",
        ["--disable-force-overwrite"] = "chartseal serve lets ?force replace a version only when started with --allow-overwrite",
        ["--depth"] = "chartseal serve serves one repository: run one server per repository",
        ["--depth-dynamic"] = "chartseal serve serves one repository: run one server per repository",
        ["--chart-post-form-field-name"] = "chartseal serve's multipart fields are always chart and prov, ChartMuseum's defaults",
        ["--prov-post-form-field-name"] = "chartseal serve's multipart fields are always chart and prov, ChartMuseum's defaults",
        ["--cache"] = Index,
        ["--cache-interval"] = Index,
        ["--gen-index"] = Index,
        ["--disable-statefiles"] = Index,
        ["--always-regenerate-chart-index"] = Index,
        ["--index-limit"] = Index,
    };

    /// <summary>
    /// The line for the first of ChartMuseum's flags among <paramref name="args"/> (<c>--flag</c> or <c>--flag=value</c>),
    /// or null when there is none.
    /// </summary>
    public static string? Hint(IEnumerable<string> args)
    {
        foreach (string arg in args)
        {
            if (arg == "--")
            {
                break;
            }
            string name = arg.Split('=', 2)[0];
            if (Instead.TryGetValue(name, out string? instead))
            {
                return $"{name} is ChartMuseum's flag; {instead} (docs/chartmuseum-migration.md)";
            }
        }
        return null;
    }
}
