using System.CommandLine;

namespace Chartseal.Cli.Commands;

/// <summary>
/// Helm's flags that a command does not take, typed out of habit: each is known (hidden from --help) so that it is
/// refused with one line saying why and what to use instead, rather than taken for a chart name or handed to helm, and
/// Helm's deprecated no-op flags are accepted as Helm accepts them.
/// </summary>
internal static class HelmFlags
{
    private const string Recorded = "credentials and TLS settings are recorded per repository: chartseal repo add NAME URL --username USER --password-stdin " +
        "(and --pass-credentials, --ca-file, --cert-file/--key-file, --insecure-skip-tls-verify), which every command then uses; " +
        "an oci:// registry's credentials come from helm registry login or docker login";

    // A password given on the command line is never repeated in a message (terminals, CI logs).
    private const string PasswordFlag = "--password";

    /// <summary>
    /// Refuses Helm's <paramref name="name"/> on <paramref name="command"/> with <paramref name="message"/> (after the flag's
    /// name and its value, except a password's).
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="name">Helm's flag, e.g. <c>--insecure-skip-tls-verify</c>.</param>
    /// <param name="takesValue">Whether Helm's flag takes a value (<c>--ca-file FILE</c>), which is then not taken for an argument.</param>
    /// <param name="message">Why it is refused and what to do instead; given the flag's value (null for a switch).</param>
    public static void Refuse(Command command, string name, bool takesValue, Func<string?, string> message)
    {
        Option option = takesValue ? new Option<string?>(name) { Hidden = true } : new Option<bool>(name) { Hidden = true };
        command.Options.Add(option);
        command.Validators.Add(r =>
        {
            if (r.GetResult(option) is { } given)
            {
                r.AddError($"{name}{(takesValue && name != PasswordFlag ? " " + given.Tokens.FirstOrDefault()?.Value : "")}: {message(given.Tokens.FirstOrDefault()?.Value)}");
            }
        });
    }

    /// <summary>Accepts Helm's switch <paramref name="name"/> and ignores it (Helm's own no-ops and what Chartseal always does).</summary>
    public static void Ignore(Command command, string name) => command.Options.Add(new Option<bool>(name) { Hidden = true });

    /// <summary>
    /// Helm's credential and TLS flags and <c>--plain-http</c> on a command that takes them only with <paramref name="repo"/>
    /// (<c>pull</c> and <c>install</c> with <c>--repo URL</c>): without it, the chart comes from a configured repository, whose
    /// transport <c>repo add</c> recorded, and each is refused with one line saying so.
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="repo">The command's <c>--repo</c>.</param>
    /// <param name="registry">The command's transport options.</param>
    /// <param name="verb">What the command does: pull or install.</param>
    public static void RefuseTransportWithout(Command command, Option<string?> repo, RegistryOptions registry, string verb)
    {
        string plainHttp = $"plain HTTP is allowed per repository: chartseal repo add NAME URL --plain-http records it, and {verb} then uses it";
        Option[] recorded = [registry.Username, registry.Password, registry.PasswordStdin, registry.PassCredentials, registry.CaFile, registry.CertFile, registry.KeyFile, registry.InsecureSkipTlsVerify];
        command.Validators.Add(r =>
        {
            if (r.GetResult(repo) is not null)
            {
                return;
            }
            foreach (var option in recorded.Append(registry.PlainHttp))
            {
                if (r.GetResult(option) is { Implicit: false } given)
                {
                    string name = given.IdentifierToken?.Value ?? option.Name;
                    string? value = option == registry.Password ? null : given.Tokens.FirstOrDefault()?.Value;
                    r.AddError($"{name}{(value is null ? "" : " " + value)}: {(option == registry.PlainHttp ? plainHttp : Recorded)}");
                }
            }
        });
    }

    /// <summary>Helm's TLS and credential flags, which Chartseal takes only at <c>repo add</c>, recorded with the repository.</summary>
    /// <param name="command">The command.</param>
    /// <param name="plainHttp">The message for <c>--plain-http</c>, or null when the command takes that flag.</param>
    /// <param name="credentials">Whether to refuse <c>--username</c>/<c>--password</c> (false: the command takes them).</param>
    /// <param name="caFile">Whether to refuse <c>--ca-file</c> (false: the command takes it).</param>
    public static void RefuseTransport(Command command, string? plainHttp, bool credentials = true, bool caFile = true)
    {
        if (credentials)
        {
            Refuse(command, "--username", takesValue: true, _ => Recorded);
            Refuse(command, PasswordFlag, takesValue: true, _ => Recorded);
        }
        Refuse(command, "--pass-credentials", takesValue: false, _ => Recorded);
        if (caFile)
        {
            Refuse(command, "--ca-file", takesValue: true, _ => Recorded);
        }
        Refuse(command, "--cert-file", takesValue: true, _ => Recorded);
        Refuse(command, "--key-file", takesValue: true, _ => Recorded);
        Refuse(command, "--insecure-skip-tls-verify", takesValue: false, _ => Recorded);
        if (plainHttp is not null)
        {
            Refuse(command, "--plain-http", takesValue: false, _ => plainHttp);
        }
    }
}
