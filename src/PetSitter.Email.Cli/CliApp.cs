using System.CommandLine;
using PetSitter.Email.Cli.Demo;

namespace PetSitter.Email.Cli;

/// <summary>The command tree; separate from Program so tests run the real parser and commands in-process.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("petsitter-email: send a pet-sitting business's email through its own mailbox and the platform's mailer, and explain what goes wrong.");
        root.Subcommands.Add(DemoCommand.Create(output));

        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await root.Parse(args).InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
