namespace Chartseal.Cli.Tests;

/// <summary>The command line as Helm users expect it: help, one-line errors with suggestions, the same output words.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Chartseal_alone_prints_the_help_naming_itself_chartseal()
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var r = Cli.Run(t.Path);
        Cli.AssertOk(r);
        Assert.Contains("Usage:\n  chartseal [command] [options]", r.StdOut.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("verify", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("--version", r.StdOut, StringComparison.Ordinal);
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public void Help_command_prints_that_commands_help()
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var r = Cli.Run(t.Path, "help", "verify");
        Cli.AssertOk(r);
        Assert.Contains("chartseal verify <CHART.tgz> [options]", r.StdOut, StringComparison.Ordinal);
        var nested = Cli.Run(t.Path, "help", "trust", "add");
        Cli.AssertOk(nested);
        Assert.Contains("chartseal trust add", nested.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "--help")]
    [InlineData("help", "serve")]
    public void Serve_help_is_the_servers_own_named_chartseal_serve(params string[] args)
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var r = Cli.Run(t.Path, args);
        Cli.AssertOk(r);
        Assert.Contains("Usage:\n  chartseal serve [<REPO_DIR>] [options]", r.StdOut.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("--upload-token-file", r.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "verfy", "x.tgz" }, "unknown command \"verfy\" for \"chartseal\"; did you mean \"verify\"?")]
    [InlineData(new[] { "trust", "revok" }, "unknown command \"revok\" for \"chartseal trust\"; did you mean \"revoke\"?")]
    [InlineData(new[] { "pul" }, "did you mean \"pull\"")]
    [InlineData(new[] { "frobnicate" }, "unknown command \"frobnicate\" for \"chartseal\" (see chartseal --help)")]
    [InlineData(new[] { "dependency", "update", "." }, "unknown command \"dependency\" for \"chartseal\"; Chartseal updates a chart's dependencies while packaging it: chartseal package CHART_DIR -u")]
    [InlineData(new[] { "fetch", "repo/chart" }, "Helm's old name for pull: chartseal pull NAME/CHART")]
    [InlineData(new[] { "version" }, "unknown command \"version\" for \"chartseal\"; the version is printed by chartseal --version")]
    [InlineData(new[] { "registry", "login", "registry.example.com" }, "helm registry login (or docker login) saves: run helm registry login HOST")]
    [InlineData(new[] { "upgrade", "rel", "repo/chart" }, "chartseal pull NAME/CHART -d DIR, then helm upgrade RELEASE DIR/CHART-VERSION.tgz")]
    [InlineData(new[] { "help", "verfy" }, "unknown command \"verfy\" for \"chartseal\"; did you mean \"verify\"?")]
    [InlineData(new[] { "trust", "revok", "--help" }, "unknown command \"revok\" for \"chartseal trust\"; did you mean \"revoke\"?")]
    public void A_mistyped_command_is_one_line_with_a_suggestion(string[] args, string expected)
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var r = Cli.Run(t.Path, args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(expected, Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_option_is_one_line_pointing_at_the_commands_help()
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var r = Cli.Run(t.Path, "verify", "x.tgz", "--output", "xml", "--keyring", "k");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.EndsWith("(see chartseal verify --help)", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "repo", "update", "-o", "json" }, "unknown flag \"-o\" for \"chartseal repo update\" (see chartseal repo update --help)")]
    [InlineData(new[] { "key", "fingerprint", "k.asc", "-o", "json" }, "unknown flag \"-o\" for \"chartseal key fingerprint\" (see chartseal key fingerprint --help)")]
    [InlineData(new[] { "pull", "repo/chart", "--nope" }, "unknown flag \"--nope\" for \"chartseal pull\" (see chartseal pull --help)")]
    [InlineData(new[] { "search", "-x" }, "unknown flag \"-x\" for \"chartseal search\" (see chartseal search --help)")]
    [InlineData(new[] { "verify", "--keyrng", "k.asc", "x.tgz" }, "unknown flag \"--keyrng\" for \"chartseal verify\" (see chartseal verify --help)")]
    [InlineData(new[] { "verify", "-x" }, "unknown flag \"-x\" for \"chartseal verify\" (see chartseal verify --help)")]
    [InlineData(new[] { "repo", "add", "--nope", "name", "https://charts.example.com" }, "unknown flag \"--nope\" for \"chartseal repo add\" (see chartseal repo add --help)")]
    public void A_flag_the_command_lacks_is_named_as_a_flag_not_taken_for_a_file_or_name(string[] args, string expected)
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        File.WriteAllText(Path.Combine(t.Path, "k.asc"), "");
        var r = Cli.Run(t.Path, args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.StdOut);
        Assert.Equal("chartseal: " + expected, Assert.Single(r.StdErrLines));
    }

    [Fact]
    public void A_word_after_double_dash_is_a_value_even_when_it_starts_with_a_dash()
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var r = Cli.Run(t.Path, "pull", "--", "-chart");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("\"-chart\" is not NAME/CHART", Assert.Single(r.StdErrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify", "x.tgz", "--keyring", "k")]
    [InlineData("audit", "repo", "--root-fingerprint", "0000000000000000000000000000000000000000")]
    [InlineData("search", "x")]
    [InlineData("repo", "list")]
    [InlineData("trust", "show", "repo")]
    public void Output_takes_the_same_words_everywhere(params string[] args)
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        foreach (string word in new[] { "text", "table", "json" })
        {
            var r = Cli.Run(t.Path, [.. args, "-o", word]);
            Assert.DoesNotContain("Argument", r.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("--output", r.StdErr, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("package", "--key")]
    [InlineData("sign", "--key")]
    [InlineData("resign", "--key")]
    [InlineData("key revocation-cert", "--key")]
    [InlineData("trust init", "--root-key")]
    [InlineData("trust add", "--root-key")]
    [InlineData("trust rotate-root", "--new-root-key")]
    [InlineData("index sign", "--key")]
    [InlineData("publish", "--index-key")]
    [InlineData("push", "--index-key")]
    [InlineData("serve", "--index-key")]
    public void Key_options_say_alike_how_a_key_is_named(string command, string option)
    {
        using var t = new Chartseal.Tests.Support.TempDirectory();
        var r = Cli.Run(t.Path, [.. command.Split(' '), "--help"]);
        Cli.AssertOk(r);
        string line = Assert.Single(r.StdOut.Split('\n'), l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        Assert.Contains("its user id (exact, e-mail address or unique substring), fingerprint or key id (FPR! for exactly that key or subkey)", line, StringComparison.Ordinal);
    }
}
