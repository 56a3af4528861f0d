using System.CommandLine;

namespace Chartseal.Cli.Commands;

/// <summary>
/// Helm's flags that a command does not take, typed out of habit: each is known (hidden from --help) so that it is
/// refused with one line saying why and what to use instead, rather than taken for a chart name or handed to helm, and
/// Helm's deprecated no-op flags are accepted as Helm accepts them.
/// </summary>
internal static class HelmFlags
{
    /// <summary>Refuses Helm's <paramref name="name"/> on <paramref name="command"/> with <paramref name="message"/> (after the flag's name).</summary>
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
                r.AddError($"{name}{(takesValue ? " " + given.Tokens.FirstOrDefault()?.Value : "")}: {message(given.Tokens.FirstOrDefault()?.Value)}");
            }
        });
    }

    /// <summary>Accepts Helm's switch <paramref name="name"/> and ignores it (Helm's own no-ops and what Chartseal always does).</summary>
    public static void Ignore(Command command, string name) => command.Options.Add(new Option<bool>(name) { Hidden = true });

    /// <summary>
    /// Helm's flags for reaching a chart repository by URL, with credentials or with other TLS settings, on a command that
    /// reads charts only from configured repositories (<c>pull</c>, <c>install</c>).
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="verb">What the command does: pull or install.</param>
    /// <param name="usage">How the command names a chart of a configured repository, e.g. <c>chartseal pull NAME/CHART</c>.</param>
    public static void RefuseChartLocation(Command command, string verb, string usage)
    {
        Refuse(command, "--repo", takesValue: true, url =>
            $"chartseal {verb}s only from repositories added with a pinned root key, whose trust material says which keys may sign " +
            $"(a bare URL names no root, so nothing could be trusted): run chartseal repo add NAME {url} --root-fingerprint FPR " +
            $"(the root fingerprint from the repository's maintainers), then {usage}");
        RefuseTransport(command, plainHttp: $"plain HTTP is allowed per repository: chartseal repo add NAME URL --plain-http records it, and {verb} then uses it");
    }

    /// <summary>Helm's TLS and credential flags, which Chartseal takes only at <c>repo add</c>, recorded with the repository.</summary>
    /// <param name="command">The command.</param>
    /// <param name="plainHttp">The message for <c>--plain-http</c>, or null when the command takes that flag.</param>
    /// <param name="credentials">Whether to refuse <c>--username</c>/<c>--password</c> (false: the command takes them).</param>
    /// <param name="caFile">Whether to refuse <c>--ca-file</c> (false: the command takes it).</param>
    public static void RefuseTransport(Command command, string? plainHttp, bool credentials = true, bool caFile = true)
    {
        const string Recorded = "credentials and TLS settings are recorded per repository: chartseal repo add NAME URL --username USER --password-stdin " +
            "(and --pass-credentials, --ca-file, --cert-file/--key-file, --insecure-skip-tls-verify), which every command then uses; " +
            "an oci:// registry's credentials come from helm registry login or docker login";
        if (credentials)
        {
            Refuse(command, "--username", takesValue: true, _ => Recorded);
            Refuse(command, "--password", takesValue: true, _ => Recorded);
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
