using System.Globalization;

namespace Chartseal.Server;

/// <summary>
/// Where each setting of <c>chartseal serve</c> comes from, first found wins: the command line, then the environment
/// variable <c>CHARTSEAL_SERVE_NAME</c> (the long option's name in capitals, <c>-</c> as <c>_</c>), then ChartMuseum's
/// variable for the same setting when there is one (<c>BASIC_AUTH_USER</c>, <c>PORT</c>, …: a deployment written for
/// ChartMuseum keeps working), then the <c>--config</c> file (<see cref="ServeConfigFile"/>), then the default. A value
/// that does not parse stops the server at start with one line naming its source. docs/configuration.md lists them.
/// </summary>
internal sealed class ServeSettings
{
    /// <summary>The prefix of the server's own environment variables.</summary>
    public const string Prefix = "CHARTSEAL_SERVE_";

    /// <summary>The config file's variable (the <c>--config</c> option wins over it).</summary>
    public const string ConfigVariable = Prefix + "CONFIG";

    /// <summary>
    /// Every setting (the long option's name; <c>repo-dir</c> is the argument) and ChartMuseum's variable for it, when
    /// ChartMuseum has one with the same meaning. <c>listen</c> also takes ChartMuseum's <c>PORT</c> and
    /// <c>LISTEN_HOST</c>, and <c>disable-metrics</c> its <c>ENABLE_METRICS</c> (see <see cref="Listen"/>,
    /// <see cref="DisableMetrics"/>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> Keys = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["repo-dir"] = "STORAGE_LOCAL_ROOTDIR",
        ["listen"] = null,
        ["upload-token-file"] = null,
        ["basic-auth-user"] = "BASIC_AUTH_USER",
        ["basic-auth-pass"] = "BASIC_AUTH_PASS",
        ["htpasswd-file"] = null,
        ["allow-anonymous-upload"] = null,
        ["require-auth-for-reads"] = null,
        ["allow-overwrite"] = "ALLOW_OVERWRITE",
        ["disable-delete"] = "DISABLE_DELETE",
        ["disable-api"] = "DISABLE_API",
        ["disable-metrics"] = "DISABLE_METRICS",
        ["context-path"] = "CONTEXT_PATH",
        ["root-fingerprint"] = null,
        ["max-upload-size"] = "MAX_UPLOAD_SIZE",
        ["writes-per-minute"] = null,
        ["debug"] = "DEBUG",
        ["index-key"] = null,
        ["index-keyring"] = null,
        ["index-passphrase-file"] = null,
        ["index-expires"] = null,
        ["tls-cert"] = "TLS_CERT",
        ["tls-key"] = "TLS_KEY",
        ["tls-ca-cert"] = "TLS_CA_CERT",
    };

    /// <summary>The default listen address: loopback, for a reverse proxy in front.</summary>
    public const string DefaultListen = "http://127.0.0.1:8080";

    private readonly Func<string, string?> _environment;
    private readonly ServeConfigFile? _file;

    /// <summary>Settings from <paramref name="environment"/> (a variable's value, or null) and an optional config file.</summary>
    public ServeSettings(Func<string, string?> environment, ServeConfigFile? file)
    {
        _environment = environment;
        _file = file;
    }

    /// <summary>
    /// Reads the config file (<paramref name="configOption"/>, else <c>CHARTSEAL_SERVE_CONFIG</c>, else none) and checks
    /// ChartMuseum's variables that Chartseal cannot honour.
    /// </summary>
    /// <exception cref="ChartsealException">An unreadable or invalid file, or a ChartMuseum setting with another meaning here.</exception>
    public static async Task<ServeSettings> LoadAsync(string? configOption, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? path = configOption ?? NonEmpty(environment(ConfigVariable));
        var file = path is null ? null : await ServeConfigFile.ReadAsync(path, Keys.Keys, cancellationToken).ConfigureAwait(false);
        var settings = new ServeSettings(environment, file);
        settings.CheckChartMuseumVariables();
        return settings;
    }

    /// <summary>The variable of a setting: <c>CHARTSEAL_SERVE_</c> and the key in capitals, <c>-</c> as <c>_</c>.</summary>
    public static string VariableOf(string key) => Prefix + key.ToUpperInvariant().Replace('-', '_');

    /// <summary>A text setting: the option's value when given, else the first source that sets it, else null.</summary>
    public string? Text(string key, string? option) => option ?? Find(key)?.Value;

    /// <summary>A boolean setting (<c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, <c>t</c>/<c>f</c>, as Go's ParseBool and so ChartMuseum read them); false when unset.</summary>
    public bool Flag(string key, bool? option) => option ?? (Find(key) is { } found && ParseBool(found));

    /// <summary>
    /// Whether reads need credentials: the option, <c>CHARTSEAL_SERVE_REQUIRE_AUTH_FOR_READS</c> or the file's
    /// <c>require-auth-for-reads</c>, else ChartMuseum's <c>AUTH_ANONYMOUS_GET</c> read the other way round (a deployment
    /// that said <c>AUTH_ANONYMOUS_GET=false</c> with credentials configured kept its reads private, and keeps them so;
    /// without credentials ChartMuseum had no auth at all); open when none is set.
    /// </summary>
    public bool RequireAuthForReads(bool? option, bool credentialsConfigured) =>
        option ?? (Find("require-auth-for-reads") is { } found
            ? ParseBool(found)
            : credentialsConfigured && Variable(AnonymousGet) is { } anonymous && !ParseBool(anonymous));

    /// <summary>Whether ChartMuseum's <c>AUTH_ANONYMOUS_GET</c> is set (to anything): when it is not, a ChartMuseum with a
    /// Basic user asked for credentials on reads, which this server does only when told.</summary>
    public bool AnonymousGetGiven => Variable(AnonymousGet) is not null;

    /// <summary>Whether the Basic user came from ChartMuseum's <c>BASIC_AUTH_USER</c> (a deployment written for ChartMuseum).</summary>
    public bool BasicUserFromChartMuseum(string? option) =>
        option is null && Variable(VariableOf("basic-auth-user")) is null && Variable("BASIC_AUTH_USER") is not null;

    private const string AnonymousGet = "AUTH_ANONYMOUS_GET";

    /// <summary>A positive whole number (a size in bytes, a count), or null when unset.</summary>
    public long? Number(string key, long? option) => option ?? (Find(key) is { } found ? ParseNumber(found) : null);

    /// <summary>
    /// The listen address: the option, <c>CHARTSEAL_SERVE_LISTEN</c>, ChartMuseum's <c>PORT</c> and <c>LISTEN_HOST</c>
    /// (as ChartMuseum reads them: host 0.0.0.0 and port 8080 unless set, so <c>http://0.0.0.0:PORT</c>), the file's
    /// <c>listen</c>, or <see cref="DefaultListen"/>. An address written out keeps its scheme (the server refuses one
    /// that disagrees with the TLS settings); ChartMuseum's pair and the default, which have none, get <c>https</c> when
    /// <paramref name="tls"/> (a certificate was given), as ChartMuseum serves TLS on its one port.
    /// </summary>
    public string Listen(string? option, bool tls)
    {
        string scheme = tls ? "https" : "http";
        if ((option ?? Variable(VariableOf("listen"))?.Value) is { } listen)
        {
            return listen;
        }
        var port = Variable("PORT");
        var host = Variable("LISTEN_HOST");
        if (port is not null || host is not null)
        {
            if (port is { } p && !(int.TryParse(p.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number <= 65535))
            {
                throw new ChartsealException(null, $"{p.Where}: not a port number (0 to 65535)");
            }
            string hostName = host?.Value ?? "0.0.0.0";
            // An IPv6 address goes in brackets in a URL.
            string hostPart = hostName.Contains(':', StringComparison.Ordinal) && !hostName.StartsWith('[') ? $"[{hostName}]" : hostName;
            return $"{scheme}://{hostPart}:{port?.Value ?? "8080"}";
        }
        return File("listen")?.Value ?? (tls ? "https" + DefaultListen[4..] : DefaultListen);
    }

    /// <summary>
    /// What set the listen address <see cref="Listen"/> returns, for a refusal of it to name: <c>--listen</c> (also for the
    /// default), else the variable or the file's line as written (<c>LISTEN_HOST=example.com</c>).
    /// </summary>
    public string ListenSetting(string? option)
    {
        if (option is not null)
        {
            return "--listen";
        }
        if ((Variable(VariableOf("listen")) ?? Variable("LISTEN_HOST") ?? Variable("PORT") ?? File("listen")) is { } source)
        {
            return source.Where;
        }
        return "--listen";
    }

    /// <summary>
    /// Whether <c>/metrics</c> is off: the option, <c>CHARTSEAL_SERVE_DISABLE_METRICS</c>, ChartMuseum's
    /// <c>DISABLE_METRICS</c>, then its <c>ENABLE_METRICS</c> (false turns metrics off), then the file. On by default.
    /// </summary>
    public bool DisableMetrics(bool? option)
    {
        if (option is { } given)
        {
            return given;
        }
        if ((Variable(VariableOf("disable-metrics")) ?? Variable("DISABLE_METRICS")) is { } disable)
        {
            return ParseBool(disable);
        }
        if (Variable("ENABLE_METRICS") is { } enable)
        {
            return !ParseBool(enable);
        }
        return File("disable-metrics") is { } file && ParseBool(file);
    }

    // ChartMuseum's settings that have no meaning here are refused when they ask for what Chartseal cannot do, so a
    // migrated deployment fails at start rather than serving something else; those whose only value here is
    // Chartseal's behaviour are checked as booleans and otherwise accepted (docs/chartmuseum-migration.md).
    private void CheckChartMuseumVariables()
    {
        if (Variable("STORAGE") is { } storage && storage.Value != "local")
        {
            throw new ChartsealException(null, $"{storage.Where}: chartseal serve keeps charts in a local folder only (STORAGE=local, STORAGE_LOCAL_ROOTDIR or REPO_DIR); copy them down first (docs/chartmuseum-migration.md)");
        }
        if (Variable("DEPTH") is { } depth && depth.Value != "0")
        {
            throw new ChartsealException(null, $"{depth.Where}: chartseal serve serves one repository; run one server per repository (multi-tenant depth is not supported)");
        }
        foreach (var (name, expected) in new[] { ("CHART_POST_FORM_FIELD_NAME", "chart"), ("PROV_POST_FORM_FIELD_NAME", "prov") })
        {
            if (Variable(name) is { } field && field.Value != expected)
            {
                throw new ChartsealException(null, $"{field.Where}: the multipart field is always \"{expected}\" here (ChartMuseum's default)");
            }
        }
        // Always so here: JSON logs (AUTH_ANONYMOUS_GET is read by RequireAuthForReads).
        foreach (string name in new[] { "LOG_JSON", AnonymousGet, "ENABLE_METRICS" })
        {
            if (Variable(name) is { } value)
            {
                ParseBool(value);
            }
        }
    }

    // The first source of a setting after the command line.
    private Source? Find(string key) =>
        Variable(VariableOf(key)) ?? (Keys[key] is { } chartMuseum ? Variable(chartMuseum) : null) ?? File(key);

    private Source? Variable(string name) => NonEmpty(_environment(name)) is { } value ? new Source(value, $"{name}={value}") : null;

    private Source? File(string key) =>
        _file?.Get(key) is { } found ? new Source(found.Value, $"{_file.Path}: line {found.Line}: {key}: {found.Value}") : null;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool ParseBool(Source source) => source.Value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new ChartsealException(null, $"{source.Where}: not a boolean (true or false)"),
    };

    private static long ParseNumber(Source source) =>
        long.TryParse(source.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long number) && number > 0
            ? number
            : throw new ChartsealException(null, $"{source.Where}: not a positive whole number");

    private sealed record Source(string Value, string Where);
}
