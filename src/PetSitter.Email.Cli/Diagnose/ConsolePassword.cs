using System.Text;

namespace PetSitter.Email.Cli.Diagnose;

/// <summary>Asks for a password on the terminal without echoing it; never when input is redirected.</summary>
internal static class ConsolePassword
{
    public static string? Read(string userName, TextWriter prompt)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        prompt.Write($"Password for {userName}: ");
        prompt.Flush();
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        prompt.WriteLine();
        return password.ToString();
    }
}
