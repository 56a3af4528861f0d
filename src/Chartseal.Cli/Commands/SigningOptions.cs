using System.CommandLine;
using Chartseal.Keys;
using Chartseal.Provenance;

namespace Chartseal.Cli.Commands;

/// <summary>The options shared by every command that signs: <c>--key</c>, <c>--keyring</c>, <c>--passphrase-file</c>, <c>--gpg</c>.</summary>
internal sealed class SigningOptions
{
    private readonly Option<string?> _key = new("--key") { Description = "The signing key: " + SigningKeySelector.HowToName };
    private readonly Option<string?> _keyring = new("--keyring") { Description = "Secret keyring (binary or armored, as gpg --export-secret-keys writes)" };
    private readonly Option<string?> _passphraseFile = new("--passphrase-file") { Description = "File whose first line is the key's passphrase; - reads standard input" };
    private readonly Option<bool> _gpg = new("--gpg") { Description = "Let the installed gpg (agent or smartcard) make the signature" };

    public void AddTo(Command command)
    {
        command.Options.Add(_key);
        command.Options.Add(_keyring);
        command.Options.Add(_passphraseFile);
        command.Options.Add(_gpg);
    }

    /// <summary>Signs the archive with the selected key and returns the .prov bytes.</summary>
    public async Task<byte[]> SignAsync(ParseResult p, byte[] archive, string archivePath, CancellationToken ct)
    {
        string key = p.GetValue(_key) is { Length: > 0 } k ? k : throw new ChartsealException(null, "--key is required to sign");
        DateTime now = DateTime.UtcNow;
        if (p.GetValue(_gpg))
        {
            // gpg picks the key from its own keyring and asks its agent for the passphrase: an option it would not
            // use must not be accepted and then ignored.
            foreach (var (option, value) in new[] { ("--keyring", p.GetValue(_keyring)), ("--passphrase-file", p.GetValue(_passphraseFile)) })
            {
                if (value is not null)
                {
                    throw new ChartsealException(null, $"--gpg signs with gpg's own keys and agent: {option} is not used with it");
                }
            }
            return await ChartSigning.SignWithGpgAsync(archive, archivePath, key, GpgAgentSigner.FromEnvironment(), now, ct);
        }
        string keyringPath = p.GetValue(_keyring) is { Length: > 0 } r ? r : throw new ChartsealException(null, "--keyring is required to sign (or use --gpg)");
        var signingKey = SigningKeySelector.Select(Keyring.Load(keyringPath), key, now);
        var privateKey = signingKey.UnlockWith(new PassphraseSource(p.GetValue(_passphraseFile)));
        return ChartSigning.Sign(archive, archivePath, signingKey, privateKey, now);
    }
}
