using Chartseal.Client;
using Chartseal.IO;

namespace Chartseal.Cli.Commands;

/// <summary>
/// What a command says once on stderr about a repository's transport: that its TLS certificate is not checked
/// (<c>--insecure-skip-tls-verify</c>). Signatures still decide what is trusted; the user should still know.
/// </summary>
internal static class TransportNotes
{
    private static readonly HashSet<string> Noted = new(StringComparer.Ordinal);

    /// <summary>Notes, once per command run and repository, that <paramref name="repository"/>'s TLS certificate goes unchecked.</summary>
    public static void Note(ConfiguredRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.InsecureSkipTlsVerify && Noted.Add(repository.Name))
        {
            Console.Error.WriteLine(TerminalText.Escape(
                $"chartseal: note: the TLS certificate of \"{repository.Name}\" ({repository.Url}) is not checked (--insecure-skip-tls-verify); signatures still decide what is trusted"));
        }
    }

    /// <summary><see cref="Note(ConfiguredRepository)"/> for each of <paramref name="repositories"/>.</summary>
    public static void Note(IEnumerable<ConfiguredRepository> repositories)
    {
        ArgumentNullException.ThrowIfNull(repositories);
        foreach (var repository in repositories)
        {
            Note(repository);
        }
    }
}
