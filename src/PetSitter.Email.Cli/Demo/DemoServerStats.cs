namespace PetSitter.Email.Cli.Demo;

internal sealed record DemoServerStats(string Name, string Address, int Connections, int SignInsSucceeded, int SignInsRefused, int MessagesReceived);
