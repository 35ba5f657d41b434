using Microsoft.Extensions.DependencyInjection;
using PetSitter.Email.Redis.Tests.Support;

namespace PetSitter.Email.Redis.Tests.Docs;

/// <summary>The examples of PACKAGE.md and docs/scale-out.md, compiled and run, so they cannot go stale.</summary>
[Collection(RedisGroup.Name)]
public sealed class PackageReadmeTests(RedisFixture redis)
{
    [Fact]
    public async Task The_readme_registration_and_dead_letter_listing_run_as_written()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new Settings());
        var connectionString = redis.ConnectionString;
        var prefix = RedisFixture.NewPrefix();

        // As in PACKAGE.md (with the test server's address and a prefix of its own):
        services.AddPetSitterEmail()
            .UseRedis(options =>
            {
                options.ConnectionString = connectionString;
                options.KeyPrefix = prefix;
                options.FailureMode = RedisFailureMode.FailClosed;
            });
        await using var provider = services.BuildServiceProvider();
        var lines = new List<string>();

        IDeadLetterStore deadLetters = provider.GetRequiredService<IDeadLetterStore>();
        foreach (DeadLetter letter in await deadLetters.ListAsync())
        {
            lines.Add($"{letter.Email.MessageId}: {letter.Reason}");
        }

        lines.Should().BeEmpty();
        provider.GetRequiredService<IDeferredEmailQueue>().Should().BeAssignableTo<IDeadLetterStore>();
    }
}
