using Chartseal.Keys;
using Chartseal.Tests.Support;

namespace Chartseal.Tests.Keys;

public sealed class PassphraseSourceTests
{
    private const string UserId = "Jane <jane@example.com>";

    private sealed class FakeEnvironment
    {
        public Dictionary<string, string> Variables { get; } = [];
        public string StandardInput { get; set; } = "";
        public bool Redirected { get; set; }
        public bool Terminal { get; set; }
        public int StdinOpens { get; private set; }
        public List<string> Prompts { get; } = [];

        public PassphraseEnvironment Build() => new(
            name => Variables.GetValueOrDefault(name),
            OpenStandardInput,
            Redirected,
            Terminal ? Type : null);

        private StringReader OpenStandardInput()
        {
            StdinOpens++;
            return new StringReader(StandardInput);
        }

        private string Type(string prompt)
        {
            Prompts.Add(prompt);
            return "typed";
        }
    }

    [Theory]
    [InlineData("hunter2\n", "hunter2")]
    [InlineData("hunter2\r\nsecond line\n", "hunter2")]
    [InlineData("no newline", "no newline")]
    [InlineData("  spaces kept  \n", "  spaces kept  ")]
    [InlineData("pässwörd€\n", "pässwörd€")]
    public void GetPassphrase_File_ReturnsFirstLineWithoutLineEnd(string contents, string expected)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), contents);
        var fake = new FakeEnvironment { Terminal = true };
        fake.Variables[PassphraseSource.EnvironmentVariable] = "from-env";

        string passphrase = new PassphraseSource(temp.File("pass"), fake.Build()).GetPassphrase(UserId);

        Assert.Equal(expected, passphrase);
        Assert.Empty(fake.Prompts);
    }

    [Fact]
    public void GetPassphrase_EmptyFile_Throws()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), "");

        var error = Assert.Throws<ChartsealException>(() => new PassphraseSource(temp.File("pass"), new FakeEnvironment().Build()).GetPassphrase(UserId));

        Assert.Equal(temp.File("pass"), error.File);
        Assert.Contains("empty", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\nthe passphrase on the second line\n")]
    public void GetNewKeyPassphrase_EmptyFirstLine_RefusesToLeaveTheKeyUnprotected(string contents)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), contents);

        var error = Assert.Throws<ChartsealException>(() => new PassphraseSource(temp.File("pass"), new FakeEnvironment().Build()).GetNewKeyPassphrase());

        Assert.Equal(temp.File("pass"), error.File);
        Assert.Contains("first line is empty", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GetNewKeyPassphrase_FileOrNone_FirstLineOrNull()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pass"), "hunter2\n");
        var fake = new FakeEnvironment { Terminal = true };
        fake.Variables[PassphraseSource.EnvironmentVariable] = "from-env";

        Assert.Equal("hunter2", new PassphraseSource(temp.File("pass"), fake.Build()).GetNewKeyPassphrase());
        Assert.Null(new PassphraseSource(null, fake.Build()).GetNewKeyPassphrase());
        Assert.Empty(fake.Prompts);
    }

    [Fact]
    public void GetPassphrase_AFolder_SaysItIsAFolder()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("pass"));

        var error = Assert.Throws<ChartsealException>(() => new PassphraseSource(temp.File("pass"), new FakeEnvironment().Build()).GetPassphrase(UserId));

        Assert.Equal($"{temp.File("pass")}: cannot read the passphrase file: is a folder, not a file", error.Message);
    }

    [Fact]
    public void GetPassphrase_MissingFile_Throws()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<ChartsealException>(() => new PassphraseSource(temp.File("nope"), new FakeEnvironment().Build()).GetPassphrase(UserId));

        Assert.Equal("passphrase file not found", error.Reason);
    }

    [Fact]
    public void GetPassphrase_StdinDash_ReadsStdinOnceForAllKeys()
    {
        var fake = new FakeEnvironment { Redirected = true, StandardInput = "from-stdin\n" };
        var source = new PassphraseSource("-", fake.Build());

        Assert.Equal("from-stdin", source.GetPassphrase(UserId));
        Assert.Equal("from-stdin", source.GetPassphrase("Other <other@example.com>"));
        Assert.Equal(1, fake.StdinOpens);
    }

    [Fact]
    public void GetPassphrase_StdinDashWithoutRedirection_ThrowsHelmMessage()
    {
        var fake = new FakeEnvironment { Redirected = false, Terminal = true };

        var error = Assert.Throws<ChartsealException>(() => new PassphraseSource("-", fake.Build()).GetPassphrase(UserId));

        Assert.Equal("specified reading passphrase from stdin, without input on stdin", error.Reason);
    }

    [Fact]
    public void GetPassphrase_StdinDashEmpty_Throws()
    {
        var fake = new FakeEnvironment { Redirected = true, StandardInput = "" };

        var error = Assert.Throws<ChartsealException>(() => new PassphraseSource("-", fake.Build()).GetPassphrase(UserId));

        Assert.Equal("stdin", error.File);
    }

    [Fact]
    public void GetPassphrase_EnvironmentVariable_IsUsedBeforeThePrompt()
    {
        var fake = new FakeEnvironment { Terminal = true };
        fake.Variables[PassphraseSource.EnvironmentVariable] = "from-env";

        Assert.Equal("from-env", new PassphraseSource(null, fake.Build()).GetPassphrase(UserId));
        Assert.Empty(fake.Prompts);
    }

    [Fact]
    public void GetPassphrase_HelmsVariable_IsUsedWhenOursIsNotSet()
    {
        var helmOnly = new FakeEnvironment { Terminal = true };
        helmOnly.Variables[PassphraseSource.HelmEnvironmentVariable] = "from-helm-env";
        var both = new FakeEnvironment { Terminal = true };
        both.Variables[PassphraseSource.HelmEnvironmentVariable] = "from-helm-env";
        both.Variables[PassphraseSource.EnvironmentVariable] = "from-env";

        Assert.Equal("from-helm-env", new PassphraseSource(null, helmOnly.Build()).GetPassphrase(UserId));
        Assert.Equal("from-env", new PassphraseSource(null, both.Build()).GetPassphrase(UserId));
        Assert.Empty(helmOnly.Prompts);
        Assert.Empty(both.Prompts);
    }

    [Fact]
    public void GetPassphrase_Terminal_PromptsOncePerKey()
    {
        var fake = new FakeEnvironment { Terminal = true };
        var source = new PassphraseSource(null, fake.Build());

        Assert.Equal("typed", source.GetPassphrase(UserId));
        Assert.Equal("typed", source.GetPassphrase(UserId));

        Assert.Equal(["Passphrase for key \"Jane <jane@example.com>\": "], fake.Prompts);
    }

    [Fact]
    public void GetPassphrase_NoFileNoVariableNoTerminal_ThrowsExplainingTheOptions()
    {
        var fake = new FakeEnvironment { Redirected = true };

        var error = Assert.Throws<ChartsealException>(() => new PassphraseSource(null, fake.Build()).GetPassphrase(UserId));

        Assert.Equal("key \"Jane <jane@example.com>\" is protected by a passphrase: use --passphrase-file, CHARTSEAL_KEY_PASSPHRASE or a terminal", error.Reason);
    }
}
