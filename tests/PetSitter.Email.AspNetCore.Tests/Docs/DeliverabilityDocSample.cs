using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace PetSitter.Email.AspNetCore.Tests.Docs;

/// <summary>The registration snippet of docs/deliverability.md ("Suppression"), compiled.</summary>
internal static class DeliverabilityDocSample
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        // snippet-start
builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo("/var/lib/petsitter/keys"));
builder.Services.AddPetSitterEmail()
    .UseOneClickUnsubscribe(options => options.EndpointUrl = new Uri("https://app.example/email/unsubscribe"));

var app = builder.Build();
app.MapPetSitterEmailUnsubscribe();   // "/email/unsubscribe" unless another pattern is given
        // snippet-end
        return app;
    }
}
