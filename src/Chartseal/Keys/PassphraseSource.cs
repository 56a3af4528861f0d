using System.Text;

namespace Chartseal.Keys;

/// <summary>
/// Finds the passphrase of a protected signing key, in this order: <c>--passphrase-file</c> (<c>-</c>
/// for standard input), the <see cref="EnvironmentVariable"/> variable (else Helm's <see cref="HelmEnvironmentVariable"/>),
/// an interactive prompt.
/// One instance serves one command invocation: standard input is read once and the value reused for
/// every chart signed.
/// </summary>
public sealed class PassphraseSource
{
    /// <summary>The environment variable holding the passphrase.</summary>
    public const string EnvironmentVariable = "CHARTSEAL_KEY_PASSPHRASE";

    /// <summary>Helm's variable for the same (<c>helm package --sign</c>), read when <see cref="EnvironmentVariable"/> is not set: CI set up for Helm keeps working.</summary>
    public const string HelmEnvironmentVariable = "HELM_KEY_PASSPHRASE";

    /// <summary>The passphrase the environment gives: <see cref="EnvironmentVariable"/>, else <see cref="HelmEnvironmentVariable"/>; null when neither is set and not empty.</summary>
    /// <param name="getVariable">Reads one variable (the process environment: <see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    public static string? FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        return FromEnvironmentNamed(getVariable)?.Value;
    }

    // The passphrase and the variable that gave it.
    private static (string Value, string Variable)? FromEnvironmentNamed(Func<string, string?> getVariable)
    {
        foreach (string variable in new[] { EnvironmentVariable, HelmEnvironmentVariable })
        {
            if (getVariable(variable) is { Length: > 0 } value)
            {
                return (value, variable);
            }
        }
        return null;
    }

    private readonly string? _passphraseFile;
    private readonly PassphraseEnvironment _environment;
    private readonly Dictionary<string, string> _prompted = new(StringComparer.Ordinal);
    private string? _fromFile;

    /// <summary>Creates a source.</summary>
    /// <param name="passphraseFile">The <c>--passphrase-file</c> value, <c>-</c> for standard input, or null.</param>
    /// <param name="environment">Where to read from; null for the real process environment and console.</param>
    public PassphraseSource(string? passphraseFile, PassphraseEnvironment? environment = null)
    {
        _passphraseFile = passphraseFile;
        _environment = environment ?? PassphraseEnvironment.FromConsole();
    }

    /// <summary>The passphrase for the key with user id <paramref name="userId"/>.</summary>
    /// <exception cref="ChartsealException">
    /// The passphrase file is missing or empty; <c>-</c> was given but standard input is a terminal or
    /// empty; or there is no file, no variable and no terminal.
    /// </exception>
    public string GetPassphrase(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (_passphraseFile is not null)
        {
            Origin = _passphraseFile == "-" ? "standard input" : _passphraseFile;
            return _fromFile ??= ReadPassphraseFile(_passphraseFile);
        }
        if (FromEnvironmentNamed(_environment.GetVariable) is var (fromEnvironment, variable))
        {
            Origin = variable;
            return fromEnvironment;
        }
        if (_environment.Prompt is null)
        {
            throw new ChartsealException(null, MissingMessage(userId));
        }
        Origin = null;
        if (!_prompted.TryGetValue(userId, out string? typed))
        {
            _prompted[userId] = typed = _environment.Prompt($"Passphrase for key \"{userId}\": ");
        }
        return typed;
    }

    /// <summary>
    /// Where the last passphrase came from, for messages: the passphrase file, <c>standard input</c>, or the name of the
    /// environment variable; null before any, or when it was typed at the prompt.
    /// </summary>
    public string? Origin { get; private set; }

    /// <summary>
    /// The passphrase to protect a new key with: the first line of the passphrase file (or standard input for
    /// <c>-</c>), or null when no file was given (the key is left unprotected, as asked). The environment and the
    /// terminal are not used.
    /// </summary>
    /// <exception cref="ChartsealException">
    /// The file is missing or empty, or its first line is empty: that would silently leave the secret key unprotected
    /// although a passphrase was asked for.
    /// </exception>
    public string? GetNewKeyPassphrase()
    {
        if (_passphraseFile is null)
        {
            return null;
        }
        string passphrase = _fromFile ??= ReadPassphraseFile(_passphraseFile);
        return passphrase.Length > 0
            ? passphrase
            : throw new ChartsealException(_passphraseFile == "-" ? "stdin" : _passphraseFile,
                "the first line is empty: the secret key would be left unprotected (leave out --passphrase-file for a key without a passphrase)");
    }

    /// <summary>The message for a protected key with no way to get its passphrase.</summary>
    internal static string MissingMessage(string userId) =>
        $"key \"{userId}\" is protected by a passphrase: use --passphrase-file, {EnvironmentVariable} or a terminal";

    private string ReadPassphraseFile(string path)
    {
        TextReader reader;
        if (path == "-")
        {
            if (!_environment.IsInputRedirected)
            {
                throw new ChartsealException(null, "specified reading passphrase from stdin, without input on stdin");
            }
            reader = _environment.StandardInput();
        }
        else
        {
            try
            {
                reader = new StreamReader(path, new UTF8Encoding(false));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new ChartsealException(path, "passphrase file not found", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                string why = Directory.Exists(path) ? "is a folder, not a file" : e is UnauthorizedAccessException ? "permission denied" : e.Message;
                throw new ChartsealException(path, "cannot read the passphrase file: " + why, e);
            }
        }

        // ReadLine drops the LF or CRLF; like Helm, only the first line counts.
        string? line;
        using (path == "-" ? null : reader)
        {
            line = reader.ReadLine();
        }
        return line ?? throw new ChartsealException(path == "-" ? "stdin" : path, "no passphrase: the input is empty");
    }
}
