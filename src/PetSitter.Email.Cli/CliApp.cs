using System.CommandLine;
using PetSitter.Email.Cli.Demo;
using PetSitter.Email.Cli.Diagnose;

namespace PetSitter.Email.Cli;

/// <summary>The command tree; separate from Program so tests run the real parser and commands in-process.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("petsitter-email: send a pet-sitting business's email through its own mailbox and the platform's mailer, and explain what goes wrong.");
        root.Subcommands.Add(DemoCommand.Create(output));
        root.Subcommands.Add(DiagnoseCommand.Create(output, error));

        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var parseResult = root.Parse(args);
        var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);

        // Bad arguments exit 2, as the command-line contract says (System.CommandLine's own parse errors exit 1).
        return parseResult.Errors.Count > 0 ? DiagnoseCommand.UsageError : exitCode;
    }
}
