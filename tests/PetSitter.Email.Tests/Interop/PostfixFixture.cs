using PetSitter.Email.Tests.Secrets;

namespace PetSitter.Email.Tests.Interop;

/// <summary>One Postfix + Dovecot for the interop tests, started once and stopped by PID at the end.</summary>
public sealed class PostfixFixture : IAsyncLifetime
{
    // Registered with the log scan: no log line of the library may carry them.
    private static readonly string OwnerPassword = TestSecrets.Register("PostfixOwnerPassword", "postfix-Owner-pa55");
    private static readonly string OtherPassword = TestSecrets.Register("PostfixOtherPassword", "postfix-Other-pa55");

    private PostfixServer? _server;

    public PostfixServer Server => _server ?? throw new InvalidOperationException("Postfix has not started.");

    public static string WrongPassword { get; } = TestSecrets.Register("PostfixWrongPassword", "postfix-Wrong-pa55");

    public async Task InitializeAsync() => _server = await PostfixServer.StartAsync(OwnerPassword, OtherPassword);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The tests that share the Postfix instance: they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostfixTests : ICollectionFixture<PostfixFixture>
{
    public const string Name = "Postfix";
}
