namespace PetSitter.Email.Cli.Demo;

/// <summary>One business of the demo and the situation it shows.</summary>
internal sealed record DemoBusiness(string Id, string Name, string ReplyTo, string Situation, BusinessEmailSettings Settings, string? ServerName);
