using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Chartseal.Keys;

/// <summary>
/// Signs through the installed GnuPG (<c>--gpg</c>), for keys that live in gpg-agent or on a smartcard
/// and that BouncyCastle therefore cannot read (<c>private-keys-v1.d</c>). gpg's clear-signature
/// output has exactly the layout our own writer produces.
/// </summary>
/// <remarks>
/// gpg runs with the inherited environment, so <c>GNUPGHOME</c> and <c>GPG_TTY</c> apply. Without a
/// passphrase the agent asks through its own pinentry (or uses its cache). With one, it is handed
/// over on standard input with <c>--pinentry-mode loopback --passphrase-fd 0</c>, never on the
/// command line.
/// </remarks>
public sealed class GpgAgentSigner
{
    private static readonly UTF8Encoding Utf8 = new(false);

    // What gpg says when the agent's pinentry has no terminal (GPG_TTY unset, no tty) or is not installed.
    private static readonly string[] NoPinentry = ["Inappropriate ioctl for device", "No pinentry"];
    private readonly string _program;
    private readonly string? _homeDirectory;
    private readonly string? _passphrase;

    /// <summary>Creates a signer.</summary>
    /// <param name="homeDirectory">Passed as <c>--homedir</c>; null for gpg's default (<c>GNUPGHOME</c> or <c>~/.gnupg</c>).</param>
    /// <param name="passphrase">Given to gpg in loopback mode; null to leave it to the agent.</param>
    /// <param name="program">The gpg executable, looked up on PATH unless a path.</param>
    public GpgAgentSigner(string? homeDirectory = null, string? passphrase = null, string program = "gpg")
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        _homeDirectory = homeDirectory;
        _passphrase = passphrase;
        _program = program;
    }

    /// <summary>A signer for gpg's default home, with the passphrase the environment gives (<see cref="PassphraseSource.FromEnvironment"/>) if any.</summary>
    public static GpgAgentSigner FromEnvironment() =>
        new(passphrase: PassphraseSource.FromEnvironment(Environment.GetEnvironmentVariable));

    /// <summary>
    /// Runs <c>gpg --batch --yes --clearsign --digest-algo SHA512 --local-user KEY</c> on
    /// <paramref name="body"/> and returns the clear-signed text.
    /// </summary>
    /// <param name="body">The text to sign (the provenance message block).</param>
    /// <param name="keyName">Anything gpg accepts for <c>--local-user</c>: a fingerprint, key id, user id or e-mail.</param>
    /// <param name="cancellationToken">Stops (and kills) gpg.</param>
    /// <exception cref="ChartsealException">gpg is not installed, or it failed (its first meaningful error line is shown).</exception>
    public async Task<string> ClearSignAsync(string body, string keyName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        var arguments = new List<string> { "--clearsign", "--digest-algo", "SHA512", "--local-user", keyName };
        byte[] input = Utf8.GetBytes(body);
        if (_passphrase is not null)
        {
            // gpg reads the first line of fd 0 as the passphrase at start-up; the rest is the message.
            arguments.InsertRange(0, ["--pinentry-mode", "loopback", "--passphrase-fd", "0"]);
            input = [.. Utf8.GetBytes(_passphrase + "\n"), .. input];
        }
        (byte[] output, _) = await RunAsync(arguments, input, $"sign with key \"{keyName}\"", cancellationToken).ConfigureAwait(false);
        return Utf8.GetString(output);
    }

    /// <summary>Runs <c>gpg --export KEY</c>, e.g. to learn the fingerprint of the key gpg signed with.</summary>
    /// <param name="keyName">Anything gpg accepts as a key name.</param>
    /// <param name="cancellationToken">Stops (and kills) gpg.</param>
    /// <exception cref="ChartsealException">gpg is missing or failed, or has no such public key.</exception>
    public async Task<Keyring> ExportPublicAsync(string keyName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        (byte[] output, _) = await RunAsync(["--export", keyName], [], $"export of \"{keyName}\"", cancellationToken).ConfigureAwait(false);
        string source = $"gpg --export {keyName}";
        if (output.Length == 0)
        {
            throw new ChartsealException(null, $"gpg has no public key \"{keyName}\"");
        }
        return Keyring.Parse(output, source);
    }

    private async Task<(byte[] Output, string Error)> RunAsync(List<string> arguments, byte[] input, string what, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardErrorEncoding = Utf8,
        };
        foreach (string argument in (string[])["--batch", "--yes", "--no-tty"])
        {
            start.ArgumentList.Add(argument);
        }
        if (_homeDirectory is not null)
        {
            start.ArgumentList.Add("--homedir");
            start.ArgumentList.Add(_homeDirectory);
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ChartsealException(null, $"{_program} not found on PATH (install GnuPG, or sign without --gpg)", e);
        }

        try
        {
            using var output = new MemoryStream();
            Task copyOut = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
            Task<string> readError = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // gpg exited early (e.g. unknown option); its stderr says why.
            }
            await Task.WhenAll(copyOut, readError).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            string error = await readError.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                string reason = FirstMeaningfulLine(error) ?? $"exit code {process.ExitCode}";
                if (_passphrase is null && NoPinentry.Any(n => error.Contains(n, StringComparison.Ordinal)))
                {
                    reason += $" (gpg's pinentry could not ask for the passphrase: run it in a terminal with GPG_TTY set, or give the passphrase in {PassphraseSource.EnvironmentVariable})";
                }
                throw new ChartsealException(null, $"gpg {what} failed: {reason}");
            }
            return (output.ToArray(), error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>
    /// The first stderr line that explains the failure, without the <c>gpg: </c> prefix; notes about
    /// keyboxes being created or which key gets used are skipped.
    /// </summary>
    internal static string? FirstMeaningfulLine(string stderr)
    {
        string[] noise = ["WARNING: unsafe", "keybox '", "directory '", "using \"", "using pgp trust model", "Note:", "please do a --check-trustdb"];
        return stderr.Split('\n')
            .Select(line => line.Trim())
            .Select(line => line.StartsWith("gpg: ", StringComparison.Ordinal) ? line[5..] : line)
            .FirstOrDefault(line => line.Length > 0 && !noise.Any(n => line.StartsWith(n, StringComparison.Ordinal)));
    }
}
