namespace PetSitter.Email.Native;

/// <summary>The native channel's option defaults, in one place for the options and their docs.</summary>
internal static class NativeConstants
{
    public const string BusinessToken = "{Business}";

    public const string DefaultPlatformFromAddress = "mailer@petsoftware.net";

    public const string DefaultDisplayNameFormat = "{Business} via Pet Sitter Plus";

    public const int DefaultRelayPort = 587;

    public const int DefaultRelayMaxConnections = 3;

    public static string DefaultPickupDirectory => Path.Combine(Path.GetTempPath(), "petsitter-email", "pickup");
}
