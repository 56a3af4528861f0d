using Chartseal.Tests.Support;

namespace Chartseal.Server.Tests;

/// <summary>
/// Where <c>chartseal serve</c>'s settings come from: the command line, then <c>CHARTSEAL_SERVE_*</c>, then ChartMuseum's
/// variable of the same meaning, then the <c>--config</c> file, then the default; and what is refused, in one line.
/// </summary>
public sealed class ServeSettingsTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string ConfigFile(string yaml)
    {
        string path = _temp.File("serve.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Task<ServeSettings> LoadAsync(Dictionary<string, string> env, string? config = null) =>
        ServeSettings.LoadAsync(config, name => env.GetValueOrDefault(name), Ct);

    [Fact]
    public async Task Settings_Precedence_OptionThenOwnVariableThenChartMuseumsThenFileThenDefault()
    {
        string file = ConfigFile("context-path: /from-file\nmax-upload-size: 3000\ndisable-delete: true\nwrites-per-minute: 7\n");
        var all = new Dictionary<string, string>
        {
            ["CHARTSEAL_SERVE_CONTEXT_PATH"] = "/from-ours",
            ["CONTEXT_PATH"] = "/from-chartmuseum",
            ["MAX_UPLOAD_SIZE"] = "2000",
            ["DISABLE_DELETE"] = "false",
        };
        var settings = await LoadAsync(all, file);

        Assert.Equal("/from-option", settings.Text("context-path", "/from-option"));
        Assert.Equal("/from-ours", settings.Text("context-path", null));
        Assert.Equal(2000, settings.Number("max-upload-size", null));           // ChartMuseum's name over the file
        Assert.Equal(1000, settings.Number("max-upload-size", 1000));           // the option over both
        Assert.False(settings.Flag("disable-delete", null));                    // DISABLE_DELETE=false over the file's true
        Assert.True(settings.Flag("disable-delete", true));
        Assert.Equal(7, settings.Number("writes-per-minute", null));            // only the file sets it
        Assert.Null(settings.Text("root-fingerprint", null));                   // nobody: the default applies
        Assert.False(settings.Flag("allow-overwrite", null));

        var chartMuseumOnly = await LoadAsync(new() { ["CONTEXT_PATH"] = "/from-chartmuseum" }, file);
        Assert.Equal("/from-chartmuseum", chartMuseumOnly.Text("context-path", null));
        var fileOnly = await LoadAsync([], file);
        Assert.Equal("/from-file", fileOnly.Text("context-path", null));
    }

    [Fact]
    public async Task Settings_ConfigFileNamedByItsVariable_IsRead()
    {
        string file = ConfigFile("# comments are fine\nlisten: http://127.0.0.1:9000  # so is this\nrepo-dir: /srv/charts\n");

        var settings = await LoadAsync(new() { ["CHARTSEAL_SERVE_CONFIG"] = file });

        Assert.Equal("http://127.0.0.1:9000", settings.Listen(null, tls: false));
        Assert.Equal("/srv/charts", settings.Text("repo-dir", null));
        Assert.Equal("/elsewhere", settings.Text("repo-dir", "/elsewhere"));
    }

    [Fact]
    public async Task Settings_RepositoryFolder_FromChartMuseumsStorageVariable()
    {
        var settings = await LoadAsync(new() { ["STORAGE"] = "local", ["STORAGE_LOCAL_ROOTDIR"] = "/var/lib/chartmuseum" });

        Assert.Equal("/var/lib/chartmuseum", settings.Text("repo-dir", null));
    }

    [Theory]
    [InlineData(null, null, null, "http://127.0.0.1:8080")]
    [InlineData("9090", null, null, "http://0.0.0.0:9090")]        // ChartMuseum listens on every address by default
    [InlineData(null, "127.0.0.1", null, "http://127.0.0.1:8080")]
    [InlineData("9090", "::1", null, "http://[::1]:9090")]
    [InlineData("9090", "127.0.0.1", "http://127.0.0.1:7000", "http://127.0.0.1:7000")] // CHARTSEAL_SERVE_LISTEN wins
    public async Task Settings_Listen_FromChartMuseumsPortAndHost(string? port, string? host, string? ours, string expected)
    {
        var env = new Dictionary<string, string>();
        if (port is not null)
        {
            env["PORT"] = port;
        }
        if (host is not null)
        {
            env["LISTEN_HOST"] = host;
        }
        if (ours is not null)
        {
            env["CHARTSEAL_SERVE_LISTEN"] = ours;
        }

        Assert.Equal(expected, (await LoadAsync(env)).Listen(null, tls: false));
        Assert.Equal("http://127.0.0.1:1", (await LoadAsync(env)).Listen("http://127.0.0.1:1", tls: false));
    }

    [Fact]
    public async Task Settings_TlsFiles_FromTheOptionOurVariablesChartMuseumsVariablesOrTheFile()
    {
        string file = ConfigFile("tls-cert: /file/tls.crt\ntls-key: /file/tls.key\ntls-ca-cert: /file/ca.pem\n");
        var chartMuseum = new Dictionary<string, string> { ["TLS_CERT"] = "/cm/tls.crt", ["TLS_KEY"] = "/cm/tls.key", ["TLS_CA_CERT"] = "/cm/ca.pem" };
        var ours = new Dictionary<string, string>(chartMuseum)
        {
            ["CHARTSEAL_SERVE_TLS_CERT"] = "/ours/tls.crt",
            ["CHARTSEAL_SERVE_TLS_KEY"] = "/ours/tls.key",
            ["CHARTSEAL_SERVE_TLS_CA_CERT"] = "/ours/ca.pem",
        };

        foreach (var (env, from) in new[] { (ours, "ours"), (chartMuseum, "cm"), ([], "file") })
        {
            var settings = await LoadAsync(env, file);
            Assert.Equal($"/{from}/tls.crt", settings.Text("tls-cert", null));
            Assert.Equal($"/{from}/tls.key", settings.Text("tls-key", null));
            Assert.Equal($"/{from}/ca.pem", settings.Text("tls-ca-cert", null));
            Assert.Equal("/option/tls.crt", settings.Text("tls-cert", "/option/tls.crt"));
        }
    }

    [Theory]
    [InlineData(null, null, null, "https://127.0.0.1:8080")]       // the default port, over TLS
    [InlineData("8443", null, null, "https://0.0.0.0:8443")]        // ChartMuseum serves TLS on its one port
    [InlineData(null, null, "http://127.0.0.1:7000", "http://127.0.0.1:7000")] // written out: kept (the server refuses it, saying why)
    public async Task Settings_Listen_WithTls_TheSchemeFollowsUnlessAnAddressIsWrittenOut(string? port, string? host, string? ours, string expected)
    {
        var env = new Dictionary<string, string>();
        foreach (var (name, value) in new[] { ("PORT", port), ("LISTEN_HOST", host), ("CHARTSEAL_SERVE_LISTEN", ours) })
        {
            if (value is not null)
            {
                env[name] = value;
            }
        }

        Assert.Equal(expected, (await LoadAsync(env)).Listen(null, tls: true));
        Assert.Equal("https://127.0.0.1:1", (await LoadAsync(env)).Listen("https://127.0.0.1:1", tls: true));
    }

    [Theory]
    [InlineData("DISABLE_METRICS", "true", true)]
    [InlineData("ENABLE_METRICS", "false", true)]
    [InlineData("ENABLE_METRICS", "true", false)]
    [InlineData("CHARTSEAL_SERVE_DISABLE_METRICS", "1", true)]
    public async Task Settings_Metrics_OnUnlessDisabled(string name, string value, bool disabled)
    {
        Assert.False((await LoadAsync([])).DisableMetrics(null));
        Assert.Equal(disabled, (await LoadAsync(new() { [name] = value })).DisableMetrics(null));
        Assert.False((await LoadAsync(new() { [name] = value })).DisableMetrics(false));
    }

    [Theory]
    [InlineData("CHARTSEAL_SERVE_DEBUG", "yes", "debug", "CHARTSEAL_SERVE_DEBUG=yes: not a boolean")]
    [InlineData("DISABLE_API", "maybe", "disable-api", "DISABLE_API=maybe: not a boolean")]
    [InlineData("CHARTSEAL_SERVE_MAX_UPLOAD_SIZE", "20MB", "max-upload-size", "CHARTSEAL_SERVE_MAX_UPLOAD_SIZE=20MB: not a positive whole number")]
    [InlineData("MAX_UPLOAD_SIZE", "-1", "max-upload-size", "MAX_UPLOAD_SIZE=-1: not a positive whole number")]
    public async Task Settings_BadValue_OneLineNamingTheVariable(string name, string value, string key, string expected)
    {
        var settings = await LoadAsync(new() { [name] = value });

        var e = Assert.Throws<ChartsealException>(() => key is "max-upload-size" ? settings.Number(key, null) : (object)settings.Flag(key, null));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STORAGE", "amazon", "STORAGE=amazon: chartseal serve keeps charts in a local folder only")]
    [InlineData("DEPTH", "1", "DEPTH=1: chartseal serve serves one repository")]
    [InlineData("CHART_POST_FORM_FIELD_NAME", "file", "CHART_POST_FORM_FIELD_NAME=file: the multipart field is always \"chart\"")]
    [InlineData("LOG_JSON", "sometimes", "LOG_JSON=sometimes: not a boolean")]
    [InlineData("PORT", "http", "PORT=http: not a port number")]
    [InlineData("PORT", "70000", "PORT=70000: not a port number")]
    public async Task Settings_ChartMuseumVariableWithAnotherMeaning_RefusedAtStart(string name, string value, string expected)
    {
        var e = await Assert.ThrowsAsync<ChartsealException>(async () => (await LoadAsync(new() { [name] = value })).Listen(null, tls: false));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("LISTEN_HOST", "example.com", "example.com is a host name", "(the address comes from LISTEN_HOST=example.com)")]
    [InlineData("CHARTSEAL_SERVE_LISTEN", "http://127.0.0.1:1/charts", "--listen takes no path", "(the address comes from CHARTSEAL_SERVE_LISTEN=http://127.0.0.1:1/charts)")]
    public async Task Settings_ListenAddressFromAVariable_RefusalNamesTheVariable(string name, string value, string why, string where)
    {
        var settings = await LoadAsync(new() { [name] = value });
        var options = new ServerOptions { RepositoryDir = "repo", TrustState = new Chartseal.Client.TrustStateStore("state"), Listen = settings.Listen(null, tls: false), ListenSetting = settings.ListenSetting(null) };

        var e = Assert.Throws<ChartsealException>(options.Validate);

        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.EndsWith(where, e.Message, StringComparison.Ordinal);
        Assert.Equal("--listen", settings.ListenSetting("http://127.0.0.1:2"));
    }

    [Theory]
    [InlineData("STORAGE", "local")]
    [InlineData("DEPTH", "0")]
    [InlineData("LOG_JSON", "true")]
    [InlineData("PROV_POST_FORM_FIELD_NAME", "prov")]
    public async Task Settings_ChartMuseumVariableThatChangesNothingHere_Accepted(string name, string value)
    {
        var settings = await LoadAsync(new() { [name] = value });

        Assert.Equal(ServeSettings.DefaultListen, settings.Listen(null, tls: false));
    }

    [Theory]
    [InlineData(null, null, null, true, false)]                 // reads are open unless asked
    [InlineData(null, null, "false", true, true)]               // ChartMuseum's deployment kept its reads private: still so
    [InlineData(null, null, "false", false, false)]             // ChartMuseum without credentials had no auth at all
    [InlineData(null, null, "true", true, false)]
    [InlineData(null, "false", "false", true, false)]           // our own variable wins over ChartMuseum's
    [InlineData(null, "true", null, true, true)]
    [InlineData(false, "true", "false", true, false)]           // and the command line over both
    [InlineData(true, null, null, true, true)]
    public async Task Settings_RequireAuthForReads_FromTheOption_OurVariable_OrChartMuseumsAnonymousGetReadTheOtherWay(
        bool? option, string? ours, string? anonymousGet, bool credentials, bool expected)
    {
        var env = new Dictionary<string, string>();
        if (ours is not null)
        {
            env["CHARTSEAL_SERVE_REQUIRE_AUTH_FOR_READS"] = ours;
        }
        if (anonymousGet is not null)
        {
            env["AUTH_ANONYMOUS_GET"] = anonymousGet;
        }
        var settings = await LoadAsync(env);

        Assert.Equal(expected, settings.RequireAuthForReads(option, credentials));
        Assert.Equal(anonymousGet is not null, settings.AnonymousGetGiven);
    }

    [Fact]
    public async Task Settings_BasicUserFromChartMuseumsVariable_IsKnown_SoTheBannerCanSayReadsAreOpenHere()
    {
        Assert.True((await LoadAsync(new() { ["BASIC_AUTH_USER"] = "ci" })).BasicUserFromChartMuseum(null));
        Assert.False((await LoadAsync(new() { ["BASIC_AUTH_USER"] = "ci" })).BasicUserFromChartMuseum("ci"));
        Assert.False((await LoadAsync(new() { ["CHARTSEAL_SERVE_BASIC_AUTH_USER"] = "ci", ["BASIC_AUTH_USER"] = "ci" })).BasicUserFromChartMuseum(null));
        Assert.False((await LoadAsync(new())).BasicUserFromChartMuseum(null));
        await Assert.ThrowsAsync<ChartsealException>(async () => (await LoadAsync(new() { ["AUTH_ANONYMOUS_GET"] = "maybe" })).RequireAuthForReads(null, true));
    }

    [Theory]
    [InlineData("listen: http://127.0.0.1:1\nlisten-port: 8080\n", "line 2: unknown setting \"listen-port\"")]
    [InlineData("basicauth:\n  user: ci\n", "line 1: unknown setting \"basicauth\"")]
    [InlineData("listen:\n  - a\n", "line 2: listen: must be a single value")]
    [InlineData("debug: true\ndebug: false\n", "line 2: debug is set twice")]
    [InlineData("- listen\n", "line 1: must be a mapping of settings")]
    [InlineData("just text\n", "line 1: must be a mapping of settings")]
    [InlineData("listen: &a http://x:1\n", "line 1: anchors (&name) are not allowed")]
    [InlineData("debug: true\n---\ndebug: false\n", "holds more than one YAML document")]
    [InlineData("listen: a: b\n", "not valid YAML")]
    public async Task ConfigFile_NotTheExpectedShape_OneLineNamingFileAndLine(string yaml, string expected)
    {
        string file = ConfigFile(yaml);

        var e = await Assert.ThrowsAsync<ChartsealException>(() => LoadAsync([], file));

        Assert.StartsWith(file + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task ConfigFile_BadValue_NamesFileLineAndKey()
    {
        string file = ConfigFile("\n\ndisable-api: yes\n");

        var settings = await LoadAsync([], file);
        var e = Assert.Throws<ChartsealException>(() => settings.Flag("disable-api", null));

        Assert.Equal($"{file}: line 3: disable-api: yes: not a boolean (true or false)", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing set\n")]
    [InlineData("listen:\ndebug: ~\n")]
    public async Task ConfigFile_EmptyOrNullValues_LeaveTheDefaults(string yaml)
    {
        var settings = await LoadAsync([], ConfigFile(yaml));

        Assert.Equal(ServeSettings.DefaultListen, settings.Listen(null, tls: false));
        Assert.False(settings.Flag("debug", null));
    }

    [Fact]
    public async Task ConfigFile_Missing_OneLine()
    {
        var e = await Assert.ThrowsAsync<ChartsealException>(() => LoadAsync([], _temp.File("nope.yaml")));

        Assert.Contains("nope.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_EveryKeyIsAnOptionOfTheCommand()
    {
        var command = ServeCommand.Serve(_ => null);
        var options = command.Options.Select(o => o.Name.TrimStart('-')).ToHashSet(StringComparer.Ordinal);

        foreach (string key in ServeSettings.Keys.Keys.Where(k => k != "repo-dir"))
        {
            Assert.Contains(key, options);
        }
        Assert.Equal("CHARTSEAL_SERVE_MAX_UPLOAD_SIZE", ServeSettings.VariableOf("max-upload-size"));
    }

    [Theory]
    [InlineData(new[] { "--disable-delete", "repo" }, true)]
    [InlineData(new[] { "repo", "--disable-delete" }, true)]
    [InlineData(new[] { "--disable-delete", "true", "repo" }, true)]
    [InlineData(new[] { "--disable-delete", "false", "repo" }, false)]
    [InlineData(new[] { "repo" }, null)]
    public void Command_BooleanOption_AloneIsTrue_AndDoesNotSwallowTheFolder(string[] args, bool? expected)
    {
        var command = ServeCommand.Serve(_ => null);
        var parse = command.Parse(args);

        Assert.Empty(parse.Errors);
        Assert.Equal("repo", parse.GetValue<string?>("REPO_DIR"));
        var option = command.Options.OfType<System.CommandLine.Option<bool?>>().Single(o => o.Name == "--disable-delete");
        Assert.Equal(expected, ServeCommand.GivenFlag(parse, option));
    }
    [Theory]
    [InlineData("--max-upload-size", "abc")]
    [InlineData("--max-upload-size", "1e6")]
    [InlineData("--max-upload-size", "0")]
    [InlineData("--writes-per-minute", "ten")]
    [InlineData("--writes-per-minute", "1.5")]
    public void Command_NumberOptionThatIsNotANumber_OneLineNamingIt_WithoutDotNetTypeNames(string option, string value)
    {
        var parse = ServeCommand.Serve(_ => null).Parse(["repo", option, value]);

        var error = Assert.Single(parse.Errors);
        Assert.Equal($"{option} {value}: not a positive whole number", error.Message);
    }

    [Fact]
    public void Command_WritesPerMinuteBeyondInt32_IsAccepted_AsFromTheEnvironment()
    {
        var parse = ServeCommand.Serve(_ => null).Parse(["repo", "--writes-per-minute", "99999999999"]);

        Assert.Empty(parse.Errors);
    }
}
